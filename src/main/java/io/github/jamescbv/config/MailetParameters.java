package io.github.jamescbv.config;

import io.github.jamescbv.core.SafeText;
import java.util.Iterator;
import java.util.List;
import javax.mail.MessagingException;
import org.apache.mailet.MailetConfig;

/**
 * The mailet's init parameters ({@link Place#MAILET}), read by the declarations of
 * {@link Settings}. Mailet parameters are flat, so the handler's nested elements are one-line
 * values here. An unknown parameter or a bad value is a {@link MessagingException} naming both,
 * which makes James refuse to start: a misspelt {@code adress} must not silently verify the sender.
 */
public final class MailetParameters extends SettingReader<MessagingException> {
    /** Parameters the mailet container itself reads on every mailet. */
    private static final List<String> CONTAINER_PARAMETERS = List.of("onMailetException", "onMatchException");

    private final MailetConfig config;

    public MailetParameters(MailetConfig config) {
        super(Place.MAILET, config::getInitParameter);
        this.config = config;
    }

    @Override
    protected MessagingException refusal(Setting<?> setting, String reason) {
        return new MessagingException("CallbackVerifyMailet: bad init parameter " + setting.name() + "='"
            + SafeText.clean(text(setting).orElse(""), 80) + "': " + reason);
    }

    /** Refuses a parameter that no setting of the mailet declares. */
    public void rejectUnknown() throws MessagingException {
        Iterator<String> names = config.getInitParameterNames();
        while (names.hasNext()) {
            String name = names.next();
            if (Settings.named(Place.MAILET, name).isEmpty() && !CONTAINER_PARAMETERS.contains(name)) {
                throw new MessagingException("CallbackVerifyMailet: unknown init parameter '" + SafeText.clean(name, 80)
                    + "' with value '" + SafeText.clean(config.getInitParameter(name), 80) + "' (known: "
                    + String.join(", ", Settings.names(Place.MAILET)) + ")");
            }
        }
    }
}
