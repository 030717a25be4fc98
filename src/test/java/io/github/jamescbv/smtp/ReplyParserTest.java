package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {

    /** Feeds everything and returns the completed replies. */
    private static List<SmtpReply> feed(ReplyParser parser, String latin1) throws SmtpProtocolException {
        ByteBuffer in = ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1));
        List<SmtpReply> replies = new ArrayList<>();
        SmtpReply r;
        while ((r = parser.parse(in)) != null) {
            replies.add(r);
        }
        return replies;
    }

    private static SmtpReply single(String latin1) throws SmtpProtocolException {
        List<SmtpReply> replies = feed(new ReplyParser(), latin1);
        assertThat(replies).hasSize(1);
        return replies.get(0);
    }

    @Test
    void singleLine() throws Exception {
        SmtpReply r = single("220 mx.example.com ESMTP Postfix\r\n");
        assertThat(r.code()).isEqualTo(220);
        assertThat(r.enhancedCode()).isEmpty();
        assertThat(r.lines()).containsExactly("mx.example.com ESMTP Postfix");
    }

    @Test
    void bareCodeEndsAReply() throws Exception {
        SmtpReply r = single("250\r\n");
        assertThat(r.code()).isEqualTo(250);
        assertThat(r.lines()).containsExactly("");
    }

    @Test
    void multiLine() throws Exception {
        SmtpReply r = single("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");
        assertThat(r.code()).isEqualTo(250);
        assertThat(r.lines()).containsExactly("mx.example.com", "PIPELINING", "SIZE 10240000", "8BITMIME");
    }

    @Test
    void enhancedCodeIsExtractedAndStrippedFromEveryLine() throws Exception {
        SmtpReply r = single("550-5.1.1 The email account that you tried to reach does not exist.\r\n"
            + "550-5.1.1 Please try double-checking the recipient's email address.\r\n"
            + "550 5.1.1 https://support.example.com/mail/?p=NoSuchUser\r\n");
        assertThat(r.code()).isEqualTo(550);
        assertThat(r.enhancedCode()).isEqualTo("5.1.1");
        assertThat(r.lines()).containsExactly(
            "The email account that you tried to reach does not exist.",
            "Please try double-checking the recipient's email address.",
            "https://support.example.com/mail/?p=NoSuchUser");
        assertThat(r.isPermanent()).isTrue();
    }

    @Test
    void enhancedCodeOfAnotherClassIsJustText() throws Exception {
        SmtpReply r = single("250 5.1.1 odd but seen\r\n");
        assertThat(r.enhancedCode()).isEmpty();
        assertThat(r.lines()).containsExactly("5.1.1 odd but seen");
    }

    @Test
    void enhancedCodeAlone() throws Exception {
        SmtpReply r = single("451 4.7.1\r\n");
        assertThat(r.enhancedCode()).isEqualTo("4.7.1");
        assertThat(r.lines()).containsExactly("");
    }

    @Test
    void threeDigitSubjectAndDetail() throws Exception {
        assertThat(single("550 5.123.456 text\r\n").enhancedCode()).isEqualTo("5.123.456");
        assertThat(single("550 5.1234.1 text\r\n").enhancedCode()).isEmpty();
        assertThat(single("550 5.1.1x text\r\n").enhancedCode()).isEmpty();
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        SmtpReply r = single("250-first\n250 second\n");
        assertThat(r.lines()).containsExactly("first", "second");
    }

    @Test
    void controlAndNonAsciiTextIsSanitised() throws Exception {
        SmtpReply r = single("250 a\u0000b\u001bc\u00e9d\re\r\n");
        assertThat(r.lines()).containsExactly("a?b?c?d?e");
    }

    @Test
    void severalRepliesInOneChunkComeOneByOne() throws Exception {
        ReplyParser p = new ReplyParser();
        ByteBuffer in = ByteBuffer.wrap("220 hi\r\n250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(p.parse(in).code()).isEqualTo(220);
        assertThat(in.remaining()).isEqualTo(8);
        assertThat(p.parse(in).code()).isEqualTo(250);
        assertThat(p.parse(in)).isNull();
    }

    @Test
    void splitInputByteByByte() throws Exception {
        String reply = "250-2.0.0 mx.example.com\r\n250-SIZE\r\n250 2.0.0 ok\r\n";
        ReplyParser p = new ReplyParser();
        List<SmtpReply> replies = new ArrayList<>();
        for (byte b : reply.getBytes(StandardCharsets.US_ASCII)) {
            assertThat(replies).isEmpty();
            SmtpReply r = p.offer(b);
            if (r != null) {
                replies.add(r);
            }
            assertThat(p.isPartial()).isEqualTo(r == null);
        }
        assertThat(replies).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo(250);
            assertThat(r.enhancedCode()).isEqualTo("2.0.0");
            assertThat(r.lines()).containsExactly("mx.example.com", "SIZE", "ok");
        });
    }

    @Test
    void observerSeesEachRawLineIncludingTheBadOne() {
        List<String> seen = new ArrayList<>();
        ReplyParser p = new ReplyParser(seen::add);
        assertThatThrownBy(() -> feed(p, "250-2.0.0 one\r\nbad\u0007line\r\n")).isInstanceOf(SmtpProtocolException.class);
        assertThat(seen).containsExactly("250-2.0.0 one", "bad?line");
    }

    @Test
    void mismatchedCodesAreAProtocolError() {
        assertThatThrownBy(() -> feed(new ReplyParser(), "250-one\r\n550 two\r\n"))
            .isInstanceOf(SmtpProtocolException.class)
            .hasMessageContaining("different codes");
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() throws Exception {
        String line = "250 " + "a".repeat(ReplyParser.MAX_LINE_OCTETS - 4);
        assertThat(single(line + "\r\n").lines().get(0)).hasSize(ReplyParser.MAX_LINE_OCTETS - 4);
        assertThat(single(line + "\n").code()).isEqualTo(250);
    }

    @Test
    void overLongLineFailsAtTheLimitWithoutWaitingForItsEnd() throws Exception {
        ReplyParser p = new ReplyParser();
        byte[] prefix = ("250 " + "a".repeat(ReplyParser.MAX_LINE_OCTETS - 4)).getBytes(StandardCharsets.US_ASCII);
        for (byte b : prefix) {
            assertThat(p.offer(b)).isNull();
        }
        // octet 2,049 with no line end in sight: cut off now
        assertThatThrownBy(() -> p.offer((byte) 'a'))
            .isInstanceOf(SmtpProtocolException.class)
            .hasMessageContaining("longer than 2048");
        // and the parser stays failed
        assertThatThrownBy(() -> p.offer((byte) '\n')).isInstanceOf(SmtpProtocolException.class);
    }

    @Test
    void crAtTheLimitMustBeFollowedByLf() {
        String line = "250 " + "a".repeat(ReplyParser.MAX_LINE_OCTETS - 4);
        assertThatThrownBy(() -> feed(new ReplyParser(), line + "\rx"))
            .isInstanceOf(SmtpProtocolException.class);
    }

    @Test
    void hundredLinesAreAcceptedButNotHundredAndOne() throws Exception {
        StringBuilder hundred = new StringBuilder();
        for (int i = 1; i < ReplyParser.MAX_LINES; i++) {
            hundred.append("250-line ").append(i).append("\r\n");
        }
        assertThat(single(hundred + "250 last\r\n").lines()).hasSize(ReplyParser.MAX_LINES);

        assertThatThrownBy(() -> feed(new ReplyParser(), hundred + "250-one more\r\n250 last\r\n"))
            .isInstanceOf(SmtpProtocolException.class)
            .hasMessageContaining("100 lines");
    }

    @Test
    void garbageIsAProtocolError() {
        for (String garbage : new String[] {
            "HTTP/1.1 400 Bad Request\r\n",  // not a code
            "22\r\n",                        // too short
            "\r\n",                          // empty line
            "2a0 hi\r\n",                    // non-digit
            "199 too low\r\n",               // outside 200-599
            "600 too high\r\n",
            "099 zero\r\n",
            "220_hello\r\n",                 // bad separator
            "220\thello\r\n",
            "2200 hello\r\n",
        }) {
            assertThatThrownBy(() -> feed(new ReplyParser(), garbage))
                .as(garbage.trim())
                .isInstanceOf(SmtpProtocolException.class);
        }
    }

    @Test
    void errorMessagesAreSanitised() {
        assertThatThrownBy(() -> feed(new ReplyParser(), "\u001b[31mred\u0000\r\n"))
            .isInstanceOf(SmtpProtocolException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b", "\u0000"));
    }

    @Test
    void memoryStaysBoundedUnderAFlood() throws Exception {
        // 100 maximal lines then more: fails on line 101, having held at most the limits
        ReplyParser p = new ReplyParser();
        String line = "250-" + "x".repeat(ReplyParser.MAX_LINE_OCTETS - 4) + "\r\n";
        int lines = 0;
        try {
            while (lines < 1000) {
                feed(p, line);
                lines++;
            }
        } catch (SmtpProtocolException expected) {
            assertThat(lines).isEqualTo(ReplyParser.MAX_LINES);
            return;
        }
        throw new AssertionError("no limit hit after 1000 lines");
    }
}
