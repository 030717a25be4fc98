package io.github.jamescbv.james;

import io.github.jamescbv.core.SafeText;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeUtility;

/**
 * The one address named by a header of the mail, such as From. Headers are written by whoever
 * sent the message, so the value is refused, before any parsing and long before any SMTP
 * command, when it holds control characters (CR, LF, NUL...) left after unfolding, or is
 * unreasonably long. The address found is then checked again by
 * {@link io.github.jamescbv.core.EmailAddress#parse} (ASCII only, RFC 5321 lengths, no
 * address literals) when the callback starts.
 *
 * <p>Exactly one address: a header naming none, several, or a group is unusable. Calling back
 * the first of several would say nothing about the others, and a verdict on "the From address"
 * must not depend on the order a forger chose.
 */
final class HeaderAddress {
    /**
     * Longer than any honest single address with a display name (an address is at most 254
     * octets, RFC 5321); bounds the work spent parsing what a sender wrote.
     */
    static final int MAX_HEADER_LENGTH = 2048;
    /** Field names longer than this are not worth supporting. */
    private static final int MAX_FIELD_NAME = 76;

    private HeaderAddress() {
    }

    /**
     * An RFC 5322 field name: printable ASCII except ':' (so no spaces either).
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    static String checkFieldName(String name) {
        boolean ok = !name.isEmpty() && name.length() <= MAX_FIELD_NAME;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c >= 33 && c <= 126 && c != ':';
        }
        if (!ok) {
            throw new IllegalArgumentException("bad header name '" + SafeText.clean(name, 80)
                + "' (expected a field name such as From)");
        }
        return name;
    }

    /**
     * @param fieldName the header's name, for the reasons given
     * @param values    every value of that header in the mail, as {@code MimeMessage.getHeader} gives them (may be null)
     */
    static AddressChoice of(String fieldName, String[] values) {
        if (values == null || values.length == 0) {
            return AddressChoice.unusable("", "no " + fieldName + " header");
        }
        if (values.length > 1) {
            return AddressChoice.unusable(values[0], values.length + " " + fieldName
                + " headers; only a single one can be verified");
        }
        String raw = values[0];
        if (raw == null || raw.isBlank()) {
            return AddressChoice.unusable("", "empty " + fieldName + " header");
        }
        if (raw.length() > MAX_HEADER_LENGTH) {
            return AddressChoice.unusable(raw, fieldName + " header longer than " + MAX_HEADER_LENGTH + " characters");
        }
        String value = MimeUtility.unfold(raw);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return AddressChoice.unusable(raw, "control character (CR, LF, NUL or other) in the "
                    + fieldName + " header");
            }
        }
        InternetAddress[] addresses;
        try {
            // Strict, as javax.mail's MimeMessage.getFrom() parses by default: the address this
            // mailet verifies is the one the rest of James and its mailets see.
            addresses = InternetAddress.parseHeader(value, true);
        } catch (AddressException e) {
            return AddressChoice.unusable(raw, fieldName + " header cannot be parsed: " + e.getMessage());
        }
        if (addresses.length != 1) {
            return AddressChoice.unusable(raw, fieldName + " header names " + addresses.length
                + " addresses; only a single one can be verified");
        }
        if (addresses[0].isGroup()) {
            return AddressChoice.unusable(raw, fieldName + " header names a group, not an address");
        }
        String address = addresses[0].getAddress();
        if (address == null || address.isBlank()) {
            return AddressChoice.unusable(raw, fieldName + " header names no address");
        }
        return AddressChoice.callBack(address);
    }
}
