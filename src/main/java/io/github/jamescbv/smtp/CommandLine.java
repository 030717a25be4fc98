package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The last check before a command reaches the socket. Addresses were already checked by
 * {@link io.github.jamescbv.core.EmailAddress}, but the HELO name comes from configuration
 * and any future caller could pass anything: a CR or LF here would let text from elsewhere
 * inject a second command, so this refuses it again rather than trusting the callers.
 */
final class CommandLine {
    /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
    static final int MAX_OCTETS = 512;

    private CommandLine() {
    }

    /** @throws IllegalArgumentException naming the problem when {@code command} must not be sent */
    static void check(String command) {
        if (command.length() + 2 > MAX_OCTETS) {
            throw new IllegalArgumentException("command longer than " + MAX_OCTETS + " octets");
        }
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("CR, LF or NUL in command");
            }
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("control or non-ASCII character in command");
            }
        }
    }

    /** The command's verb ("MAIL" of "MAIL FROM:<>"), cleaned and bounded: reasons name it. */
    static String verb(String command) {
        int space = command.indexOf(' ');
        return SafeText.clean(space > 0 ? command.substring(0, space) : command, 10);
    }

    /** The checked command as ASCII with CRLF. */
    static ByteBuf encode(ByteBufAllocator alloc, String command) {
        return encodeInto(alloc.buffer(command.length() + 2), command);
    }

    /** Appends the checked command as ASCII with CRLF to {@code buf}, which a pipelined group shares; returns it. */
    static ByteBuf encodeInto(ByteBuf buf, String command) {
        check(command);
        buf.writeCharSequence(command, StandardCharsets.US_ASCII);
        buf.writeByte('\r').writeByte('\n');
        return buf;
    }
}
