package io.github.jamescbv.james;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import java.lang.reflect.Field;
import java.util.Optional;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Reaches the Netty channel behind a James SMTP session. James 3.8.1 has no public way to
 * answer a command later (protocols-api's FutureResponse went in 3.5.0), but holding a reply
 * without holding a thread needs the channel: its event loop to resume on, its pipeline's
 * core handler to replay pipelined lines through, its close future to notice a client leaving.
 *
 * <p>Two private details of 3.8.1 are relied on, and both are checked once at start-up by
 * {@link #detect()}: the field {@code channel} of {@code NettyProtocolTransport}, and the pipeline
 * name {@code HandlerConstants.CORE_HANDLER}. When either is missing (another James version),
 * {@link #available()} is false and the caller falls back to a short blocking wait.
 */
final class ChannelAccess {
    static final String TRANSPORT_CLASS = "org.apache.james.protocols.netty.NettyProtocolTransport";
    static final String CHANNEL_FIELD = "channel";
    static final String HANDLER_CONSTANTS_CLASS = "org.apache.james.protocols.netty.HandlerConstants";
    static final String CORE_HANDLER_CONSTANT = "CORE_HANDLER";

    private final Field channelField;
    private final String coreHandlerName;
    private final String unavailableReason;

    private ChannelAccess(Field channelField, String coreHandlerName, String unavailableReason) {
        this.channelField = channelField;
        this.coreHandlerName = coreHandlerName;
        this.unavailableReason = unavailableReason;
    }

    /** Looks for the private field and the pipeline name; never throws. */
    static ChannelAccess detect() {
        try {
            Class<?> transport = Class.forName(TRANSPORT_CLASS, false, ChannelAccess.class.getClassLoader());
            Field field = transport.getDeclaredField(CHANNEL_FIELD);
            if (!Channel.class.isAssignableFrom(field.getType())) {
                return unavailable(TRANSPORT_CLASS + "." + CHANNEL_FIELD + " is a " + field.getType().getName() + ", not a Netty Channel");
            }
            field.setAccessible(true);
            Object name = Class.forName(HANDLER_CONSTANTS_CLASS, true, ChannelAccess.class.getClassLoader())
                .getField(CORE_HANDLER_CONSTANT).get(null);
            if (!(name instanceof String)) {
                return unavailable(HANDLER_CONSTANTS_CLASS + "." + CORE_HANDLER_CONSTANT + " is not a String");
            }
            return new ChannelAccess(field, (String) name, "");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return unavailable(e.toString());
        }
    }

    static ChannelAccess unavailable(String reason) {
        return new ChannelAccess(null, null, reason);
    }

    boolean available() {
        return channelField != null;
    }

    String unavailableReason() {
        return unavailableReason;
    }

    /** The channel of this session, or empty when this session is not the 3.8.1 Netty kind. */
    Optional<SessionChannel> of(SMTPSession session) {
        if (!available() || !(session instanceof ProtocolSessionImpl)) {
            return Optional.empty();
        }
        ProtocolTransport transport = ((ProtocolSessionImpl) session).getProtocolTransport();
        if (!channelField.getDeclaringClass().isInstance(transport)) {
            return Optional.empty();
        }
        try {
            Channel channel = (Channel) channelField.get(transport);
            if (channel == null) {
                return Optional.empty();
            }
            ChannelHandlerContext core = channel.pipeline().context(coreHandlerName);
            if (core == null) {
                return Optional.empty();
            }
            ChannelHandler handler = core.handler();
            if (!(handler instanceof ChannelInboundHandler)) {
                return Optional.empty();
            }
            return Optional.of(new SessionChannel(transport, channel, core, (ChannelInboundHandler) handler));
        } catch (IllegalAccessException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
