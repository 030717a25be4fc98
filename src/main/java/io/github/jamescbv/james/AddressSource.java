package io.github.jamescbv.james;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.SafeText;
import javax.mail.MessagingException;
import org.apache.mailet.Mail;

/**
 * Which address the mailet calls back (its {@code address} parameter): {@code sender}, the
 * envelope sender (the default); {@code header:From}, the one address of that header
 * ({@link HeaderAddress}); or a literal address, the same for every mail.
 *
 * <p>Mail without an envelope sender (bounces, delivery reports) gets no callback whatever the
 * source: there is nobody to ask about, and a bounce's From names a mailer daemon that we would
 * otherwise call back for every bounce it sends.
 */
abstract class AddressSource {
    static final String SENDER = "sender";
    static final String HEADER_PREFIX = "header:";

    /**
     * @throws IllegalArgumentException naming the value when it is neither {@code sender},
     *                                  {@code header:<field name>} nor an address we would probe
     */
    static AddressSource parse(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase(SENDER)) {
            return new EnvelopeSender();
        }
        if (v.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length())) {
            return new HeaderField(HeaderAddress.checkFieldName(v.substring(HEADER_PREFIX.length()).trim()));
        }
        try {
            return new Fixed(EmailAddress.parse(v));
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("bad address '" + SafeText.clean(v, 80) + "' (expected sender, "
                + "header:<name> such as header:From, or an address): " + e.getMessage());
        }
    }

    /** The address of this mail to call back, or why there is none. */
    final AddressChoice choose(Mail mail) throws MessagingException {
        if (mail.getMaybeSender().isNullSender()) {
            return AddressChoice.noCallback("null sender");
        }
        return chooseFor(mail);
    }

    abstract AddressChoice chooseFor(Mail mail) throws MessagingException;

    private static final class EnvelopeSender extends AddressSource {
        @Override
        AddressChoice chooseFor(Mail mail) {
            return AddressChoice.callBack(mail.getMaybeSender().get().asString());
        }

        @Override
        public String toString() {
            return SENDER;
        }
    }

    private static final class HeaderField extends AddressSource {
        private final String fieldName;

        HeaderField(String fieldName) {
            this.fieldName = fieldName;
        }

        @Override
        AddressChoice chooseFor(Mail mail) throws MessagingException {
            return HeaderAddress.of(fieldName, mail.getMessage().getHeader(fieldName));
        }

        @Override
        public String toString() {
            return HEADER_PREFIX + fieldName;
        }
    }

    private static final class Fixed extends AddressSource {
        private final EmailAddress address;

        Fixed(EmailAddress address) {
            this.address = address;
        }

        @Override
        AddressChoice chooseFor(Mail mail) {
            return AddressChoice.callBack(address.toString());
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }
}
