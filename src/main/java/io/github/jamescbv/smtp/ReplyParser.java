package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the bytes a server sends into {@link SmtpReply} values, one byte at a time, so that it
 * works the same whether a reply arrives whole, split across packets, or dripped byte by byte.
 *
 * <p>Syntax (RFC 5321 4.2): {@code NNN-text} continues a reply, {@code NNN text} or a bare
 * {@code NNN} ends it; every line of a reply carries the same code, 200 to 599. An RFC 3463
 * enhanced status code ({@code class.subject.detail}, its class equal to the reply's first
 * digit) at the start of the first line's text is extracted, and stripped from every line
 * that repeats it. Lines end with CRLF; a bare LF is accepted too, as many servers send one.
 *
 * <p>The remote is untrusted, so memory is bounded whatever it sends: a line is cut off (a
 * protocol error) as soon as it passes {@value #MAX_LINE_OCTETS} octets, without waiting for
 * its end, and a reply may have at most {@value #MAX_LINES} lines. Text is read as ISO-8859-1
 * and passed through {@link SafeText} before it leaves the parser.
 *
 * <p>After an error the parser stays failed: the connection is out of sync and must be dropped.
 * Not thread-safe; one parser per connection, used on that connection's I/O thread.
 */
public final class ReplyParser {
    /** Longest reply line, CRLF excluded. RFC 5321 4.5.3.1.5 asks for 512; we allow slack for chatty servers. */
    public static final int MAX_LINE_OCTETS = 2048;
    /** Most lines in one reply: EHLO replies have a dozen, nobody honest needs a hundred. */
    public static final int MAX_LINES = 100;

    private static final Pattern ENHANCED_CODE = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?= |$)");

    private final Consumer<String> lineObserver;
    // One more than the limit: room for the CR of a CRLF that ends a line of exactly the limit.
    private final byte[] line = new byte[MAX_LINE_OCTETS + 1];
    private int length;
    private int code = -1;
    private String enhancedCode = "";
    private final List<String> texts = new ArrayList<>();
    private SmtpProtocolException failure;

    public ReplyParser() {
        this(text -> { });
    }

    /**
     * @param lineObserver receives each complete line as received (sanitised), before it is
     *                     checked, so that a dialog transcript shows even the line that broke it
     */
    public ReplyParser(Consumer<String> lineObserver) {
        this.lineObserver = Objects.requireNonNull(lineObserver, "lineObserver");
    }

    /**
     * Takes one byte.
     *
     * @return the reply this byte completes, or null when more bytes are needed
     * @throws SmtpProtocolException when the bytes so far break the syntax or a limit
     */
    public SmtpReply offer(byte b) throws SmtpProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (b == '\n') {
            return endOfLine();
        }
        // Cut off at the limit itself: a line that never ends must not grow a buffer.
        if (length >= MAX_LINE_OCTETS && !(length == MAX_LINE_OCTETS && b == '\r')) {
            throw fail("reply line longer than " + MAX_LINE_OCTETS + " octets");
        }
        line[length++] = b;
        return null;
    }

    /**
     * Takes bytes from {@code in} until one reply is complete or {@code in} is empty; the bytes
     * after that reply stay in {@code in} (its position is just past the reply's last LF).
     *
     * @return the completed reply, or null when {@code in} ran out first
     */
    public SmtpReply parse(ByteBuffer in) throws SmtpProtocolException {
        while (in.hasRemaining()) {
            SmtpReply reply = offer(in.get());
            if (reply != null) {
                return reply;
            }
        }
        return null;
    }

    /** True while part of a reply has been received but not its last line. */
    public boolean isPartial() {
        return length > 0 || code >= 0;
    }

    /**
     * Lines of the reply in progress that are held, waiting for its last line: at most
     * {@value #MAX_LINES}. With {@link #heldOctets()}, what a hostile remote can make us keep.
     */
    int heldLines() {
        return texts.size();
    }

    /**
     * Characters held for the reply in progress: the unfinished line (at most
     * {@value #MAX_LINE_OCTETS} and its CR) and the text of the lines held, each at most
     * {@value #MAX_LINE_OCTETS}. The line buffer itself is allocated once, at that size.
     */
    int heldOctets() {
        int held = length;
        for (String text : texts) {
            held += text.length();
        }
        return held;
    }

    private SmtpReply endOfLine() throws SmtpProtocolException {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        length = 0;
        String raw = new String(line, 0, end, StandardCharsets.ISO_8859_1);
        lineObserver.accept(SafeText.clean(raw, MAX_LINE_OCTETS));

        if (end < 3 || !isDigit(line[0], '2', '5') || !isDigit(line[1], '0', '9') || !isDigit(line[2], '0', '9')) {
            throw fail("reply line does not start with a code from 200 to 599: " + SafeText.clean(raw, 80));
        }
        int lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        boolean last;
        if (end == 3 || line[3] == ' ') {
            last = true;
        } else if (line[3] == '-') {
            last = false;
        } else {
            throw fail("no space or '-' after the reply code: " + SafeText.clean(raw, 80));
        }
        if (code >= 0 && lineCode != code) {
            throw fail("reply lines carry different codes: " + code + " then " + lineCode);
        }
        if (texts.size() >= MAX_LINES) {
            throw fail("reply longer than " + MAX_LINES + " lines");
        }
        String text = end > 4 ? raw.substring(4) : "";
        if (code < 0) {
            code = lineCode;
            enhancedCode = enhancedCodeOf(text, lineCode / 100);
        }
        texts.add(SafeText.clean(stripEnhancedCode(text), MAX_LINE_OCTETS));
        if (!last) {
            return null;
        }
        SmtpReply reply = new SmtpReply(code, enhancedCode, texts);
        code = -1;
        enhancedCode = "";
        texts.clear();
        return reply;
    }

    private static String enhancedCodeOf(String text, int replyClass) {
        Matcher m = ENHANCED_CODE.matcher(text);
        // "250 5.1.1 ..." is not an enhanced code: RFC 3463 ties its class to the reply's.
        if (m.find() && m.group(1).charAt(0) - '0' == replyClass) {
            return m.group();
        }
        return "";
    }

    private String stripEnhancedCode(String text) {
        if (enhancedCode.isEmpty() || !text.startsWith(enhancedCode)) {
            return text;
        }
        int i = enhancedCode.length();
        if (i < text.length() && text.charAt(i) != ' ') {
            return text; // "2.1.05" is another token, not our code
        }
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return text.substring(i);
    }

    private static boolean isDigit(byte b, char min, char max) {
        return b >= min && b <= max;
    }

    private SmtpProtocolException fail(String message) {
        failure = new SmtpProtocolException(message);
        return failure;
    }
}
