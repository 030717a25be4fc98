package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * What a hostile or broken server can make of the reply parser, generated: random bytes, random
 * mixes of good and bad lines, truncated and oversized replies, fed in random chunks. Whatever
 * comes, the parser gives well-formed replies or one {@link SmtpProtocolException} (nothing
 * else escapes), and never holds more than one line of {@value ReplyParser#MAX_LINE_OCTETS}
 * octets and {@value ReplyParser#MAX_LINES} lines of text.
 */
class ReplyParserPropertiesTest {
    /** The most a parser may hold at any moment: the unfinished line (and its CR), plus the lines held. */
    private static final int MAX_HELD = ReplyParser.MAX_LINE_OCTETS + 1 + ReplyParser.MAX_LINES * ReplyParser.MAX_LINE_OCTETS;

    @Property(tries = 300)
    void anyBytesGiveWellFormedRepliesOrOneProtocolErrorWithinTheLimits(@ForAll("hostileStreams") byte[] stream,
                                                                         @ForAll @IntRange(min = 1, max = 700) int chunk) {
        feedChecked(stream, chunk);
    }

    @Property(tries = 200)
    void uniformlyRandomBytesToo(@ForAll byte[] stream) {
        feedChecked(stream, 1);
    }

    @Property(tries = 200)
    void wellFormedRepliesComeOutAsSentWhateverTheChunking(@ForAll("replies") List<Reply> replies,
                                                          @ForAll boolean bareLf,
                                                          @ForAll @IntRange(min = 1, max = 300) int chunk) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Reply r : replies) {
            wire.writeBytes(r.wire(bareLf));
        }

        List<SmtpReply> parsed = feed(new ReplyParser(), wire.toByteArray(), chunk);

        assertThat(parsed).hasSameSizeAs(replies);
        for (int i = 0; i < replies.size(); i++) {
            Reply sent = replies.get(i);
            SmtpReply got = parsed.get(i);
            assertThat(got.code()).isEqualTo(sent.code);
            assertThat(got.lines()).as("lines of reply %d", i).containsExactlyElementsOf(sent.lines);
        }
    }

    @Property(tries = 200)
    void aTruncatedReplyIsIncompleteNotAnError(@ForAll("replies") List<Reply> replies, @ForAll("fractions") double cut)
        throws Exception {
        byte[] whole = replies.get(0).wire(false);
        int prefix = (int) (cut * (whole.length - 1)); // every prefix that is not the whole reply
        ReplyParser parser = new ReplyParser();

        for (int i = 0; i < prefix; i++) {
            assertThat(parser.offer(whole[i])).as("octet %d of %d", i, whole.length).isNull();
        }

        assertThat(parser.isPartial()).isEqualTo(prefix > 0);
        assertThat(parser.heldOctets()).isLessThanOrEqualTo(prefix);
    }

    @Property(tries = 100)
    void aLineOverTheLimitFailsAtItsOctet2049WithoutWaitingForItsEnd(
        @ForAll @IntRange(min = ReplyParser.MAX_LINE_OCTETS + 1, max = 200_000) int length,
        @ForAll("lineStarts") String start) throws Exception {
        ReplyParser parser = new ReplyParser();
        byte[] head = start.getBytes(StandardCharsets.ISO_8859_1);
        int accepted = 0;
        try {
            for (int i = 0; i < head.length + length; i++) {
                parser.offer(i < head.length ? head[i] : (byte) 'x');
                accepted++;
                assertThat(parser.heldOctets()).isLessThanOrEqualTo(MAX_HELD);
            }
        } catch (SmtpProtocolException e) {
            assertThat(e).hasMessageContaining("longer than " + ReplyParser.MAX_LINE_OCTETS);
        }
        // the line in progress never grew past the limit, whatever was held before it
        assertThat(accepted - (head.length - lengthOfLastLine(start))).isEqualTo(ReplyParser.MAX_LINE_OCTETS);
    }

    @Property(tries = 30)
    void aReplyOverTheLineLimitFailsAtLine101(@ForAll @IntRange(min = ReplyParser.MAX_LINES + 1, max = 2000) int lines,
                                              @ForAll @IntRange(min = 0, max = ReplyParser.MAX_LINE_OCTETS - 4) int width) {
        ReplyParser parser = new ReplyParser();
        byte[] line = ("250-" + "y".repeat(width) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int complete = 0;
        try {
            for (int n = 0; n < lines; n++) {
                for (byte b : line) {
                    assertThat(parser.offer(b)).isNull();
                }
                complete++;
                assertThat(parser.heldLines()).isLessThanOrEqualTo(ReplyParser.MAX_LINES);
                assertThat(parser.heldOctets()).isLessThanOrEqualTo(MAX_HELD);
            }
        } catch (SmtpProtocolException e) {
            assertThat(e).hasMessageContaining(ReplyParser.MAX_LINES + " lines");
        }
        assertThat(complete).isEqualTo(ReplyParser.MAX_LINES);
    }

    // ------------------------------------------------------------------ checks

    /**
     * Feeds the stream in chunks, checking after every octet what the parser holds, and every
     * reply it gives; the first protocol error must stay.
     */
    private static void feedChecked(byte[] stream, int chunk) {
        ReplyParser parser = new ReplyParser(line -> assertSafe(line));
        for (int start = 0; start < stream.length; start += chunk) {
            for (int i = start; i < Math.min(stream.length, start + chunk); i++) {
                SmtpReply reply;
                try {
                    reply = parser.offer(stream[i]);
                } catch (SmtpProtocolException e) {
                    assertSafe(e.getMessage());
                    // failed for good: the connection is out of step and must be dropped
                    assertThatThrownBy(() -> parser.offer((byte) '\n')).isSameAs(e);
                    return;
                }
                assertThat(parser.heldLines()).isLessThanOrEqualTo(ReplyParser.MAX_LINES);
                assertThat(parser.heldOctets()).isLessThanOrEqualTo(MAX_HELD);
                if (reply != null) {
                    assertWellFormed(reply);
                }
            }
        }
    }

    private static void assertWellFormed(SmtpReply reply) {
        assertThat(reply.code()).isBetween(200, 599);
        assertThat(reply.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(ReplyParser.MAX_LINES);
        for (String line : reply.lines()) {
            assertThat(line.length()).isLessThanOrEqualTo(ReplyParser.MAX_LINE_OCTETS);
            assertSafe(line);
        }
        String enhanced = reply.enhancedCode();
        if (!enhanced.isEmpty()) {
            assertThat(enhanced).matches("[245]\\.\\d{1,3}\\.\\d{1,3}").startsWith(String.valueOf(reply.code() / 100));
        }
    }

    private static void assertSafe(String text) {
        assertThat(text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as("printable ASCII only: %s", text).isTrue();
    }

    private static List<SmtpReply> feed(ReplyParser parser, byte[] wire, int chunk) throws SmtpProtocolException {
        List<SmtpReply> out = new ArrayList<>();
        for (int start = 0; start < wire.length; start += chunk) {
            for (int i = start; i < Math.min(wire.length, start + chunk); i++) {
                SmtpReply r = parser.offer(wire[i]);
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private static int lengthOfLastLine(String s) {
        return s.length() - s.lastIndexOf('\n') - 1;
    }

    // ------------------------------------------------------------------ generators

    /** One reply as a server would send it: a code, and its lines of text (without code). */
    static final class Reply {
        final int code;
        final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = lines;
        }

        byte[] wire(boolean bareLf) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                boolean last = i == lines.size() - 1;
                String text = lines.get(i);
                sb.append(code);
                if (!(last && text.isEmpty() && i % 2 == 0)) { // now and then a bare "250" ends a reply
                    sb.append(last ? ' ' : '-').append(text);
                }
                sb.append(bareLf ? "\n" : "\r\n");
            }
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return code + " " + lines;
        }
    }

    @Provide
    Arbitrary<List<Reply>> replies() {
        Arbitrary<Integer> codes = Arbitraries.integers().between(200, 599);
        // Printable ASCII text that does not start with an enhanced code (that one is stripped,
        // see ReplyParserTest) and keeps the reply within the limits.
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(120)
            .filter(t -> !t.matches("^[245]\\.\\d.*"));
        Arbitrary<String> longText = Arbitraries.strings().withCharRange('a', 'z')
            .ofMinLength(ReplyParser.MAX_LINE_OCTETS - 40).ofMaxLength(ReplyParser.MAX_LINE_OCTETS - 4);
        Arbitrary<List<String>> lines = Arbitraries.frequencyOf(
            Tuple.of(8, text.list().ofMinSize(1).ofMaxSize(12)),
            Tuple.of(1, text.list().ofMinSize(ReplyParser.MAX_LINES - 5).ofMaxSize(ReplyParser.MAX_LINES)),
            Tuple.of(1, longText.list().ofMinSize(1).ofMaxSize(3)));
        return Combinators.combine(codes, lines).as(Reply::new).list().ofMinSize(1).ofMaxSize(5);
    }

    /** A stream a broken or hostile server might send: fragments good and bad, cut off anywhere. */
    @Provide
    Arbitrary<byte[]> hostileStreams() {
        Arbitrary<String> printable = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80);
        Arbitrary<String> anyChars = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(300);
        Arbitrary<String> codeish = Arbitraries.integers().between(0, 999).map(c -> String.format("%03d", c));
        Arbitrary<String> ending = Arbitraries.of("\r\n", "\n", "\r", "", "\n\r");
        Arbitrary<String> line = Combinators.combine(codeish, Arbitraries.of(" ", "-", "", "\t", "_"), printable, ending)
            .as((c, sep, t, end) -> c + sep + t + end);
        Arbitrary<String> goodLine = Combinators.combine(Arbitraries.integers().between(200, 599),
            Arbitraries.of(" ", "-"), printable).as((c, sep, t) -> c + sep + t + "\r\n");
        Arbitrary<String> longRun = Arbitraries.integers().between(1000, 6000).map(n -> "250 " + "a".repeat(n));
        Arbitrary<String> manyLines = Arbitraries.integers().between(80, 130).map(n -> "250-x\r\n".repeat(n));
        Arbitrary<String> fragment = Arbitraries.frequencyOf(
            Tuple.of(12, goodLine), Tuple.of(3, line), Tuple.of(1, anyChars),
            Tuple.of(1, longRun), Tuple.of(1, manyLines), Tuple.of(1, Arbitraries.of("\r\n", "\n", "\r")));
        return Combinators.combine(fragment.list().ofMaxSize(25), Arbitraries.doubles().between(0, 1))
            .as((parts, cut) -> {
                byte[] all = String.join("", parts).getBytes(StandardCharsets.ISO_8859_1);
                int keep = (int) Math.round(cut * all.length);
                byte[] out = new byte[keep];
                System.arraycopy(all, 0, out, 0, keep);
                return out;
            });
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    /** How an over-long line may begin: straight away, or after complete lines of a reply in progress. */
    @Provide
    Arbitrary<String> lineStarts() {
        return Arbitraries.of("250 ", "250-", "", "550-first\r\n550-", "250-a\r\n250-b\r\n250 ");
    }
}
