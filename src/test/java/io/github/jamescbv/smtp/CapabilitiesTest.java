package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EHLO reply as a server sends it, through the reply parser, to the extensions kept. */
class CapabilitiesTest {

    /** Parses a whole EHLO reply given as its lines, without the CRLFs. */
    private static Capabilities ehlo(String... lines) throws SmtpProtocolException {
        String raw = String.join("\r\n", lines) + "\r\n";
        SmtpReply reply = new ReplyParser().parse(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(reply).as("a complete reply").isNotNull();
        return Capabilities.of(reply);
    }

    @Test
    void aTypicalPostfixReply() throws Exception {
        Capabilities c = ehlo("250-mx.example.com", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN",
            "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250 CHUNKING");

        assertThat(c.pipelining()).isTrue();
        assertThat(c.startTls()).isTrue();
        assertThat(c.sizeLimit()).hasValue(10240000);
        assertThat(c.has("8bitmime")).as("any case").isTrue();
        assertThat(c.has("SMTPUTF8")).isFalse();
        assertThat(c.keywords()).containsExactly("PIPELINING", "SIZE", "VRFY", "ETRN", "STARTTLS",
            "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "CHUNKING");
        assertThat(c).hasToString("PIPELINING SIZE VRFY ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN CHUNKING");
    }

    @Test
    void theFirstLineNamesTheServerNotAnExtension() throws Exception {
        assertThat(ehlo("250 PIPELINING").keywords()).isEmpty();
        assertThat(ehlo("250 mx.example.com")).isSameAs(Capabilities.NONE);
        assertThat(Capabilities.NONE.pipelining()).isFalse();
        assertThat(Capabilities.NONE.sizeLimit()).isEmpty();
        assertThat(Capabilities.NONE).hasToString("no extensions");
    }

    @Test
    void keywordsAreReadInAnyCaseAndKeptOnce() throws Exception {
        Capabilities c = ehlo("250-mx", "250-pipelining", "250-Size 1000", "250-PIPELINING", "250 SIZE 2000");

        assertThat(c.keywords()).containsExactly("PIPELINING", "SIZE");
        assertThat(c.sizeLimit()).as("the first SIZE counts").hasValue(1000);
    }

    @Test
    void sizeWithoutALimitOrWithAnUnreadableOneIsAnnouncedWithoutALimit() throws Exception {
        assertThat(ehlo("250-mx", "250 SIZE").sizeLimit()).isEmpty();
        assertThat(ehlo("250-mx", "250 SIZE").has("SIZE")).isTrue();
        assertThat(ehlo("250-mx", "250 SIZE 0").sizeLimit()).hasValue(0);
        assertThat(ehlo("250-mx", "250 SIZE 99999999999999999999999999").sizeLimit()).as("overflow").isEmpty();
        assertThat(ehlo("250-mx", "250 SIZE -5").sizeLimit()).isEmpty();
        assertThat(ehlo("250-mx", "250 SIZE 10M").sizeLimit()).isEmpty();
        assertThat(ehlo("250-mx", "250 SIZE 999999999999999999").sizeLimit()).hasValue(999_999_999_999_999_999L);
    }

    @Test
    void wordsThatAreNoKeywordsAreIgnored() throws Exception {
        Capabilities c = ehlo("250-mx", "250-AUTH=LOGIN PLAIN", "250-", "250--DASH", "250-PIPE\u00e9LINING",
            "250-STARTTLS\u0000", "250-X_UNDERSCORE", "250 8BITMIME");

        assertThat(c.keywords()).containsExactly("8BITMIME");
        assertThat(c.startTls()).isFalse();
    }

    @Test
    void unicodeCaseMappingCannotForgeAKeyword() {
        // U+0131 upper-cases to 'I': "pıpelınıng" must not become PIPELINING.
        SmtpReply reply = new SmtpReply(250, "", List.of("mx", "p\u0131pel\u0131n\u0131ng", "\u017fize 5"));

        assertThat(Capabilities.of(reply).keywords()).isEmpty();
    }

    @Test
    void oversizedKeywordsAreIgnoredAndLongParametersDoNoHarm() throws Exception {
        String longest = "X".repeat(Capabilities.MAX_KEYWORD_LENGTH);
        Capabilities c = ehlo("250-mx", "250-" + "Y".repeat(Capabilities.MAX_KEYWORD_LENGTH + 1), "250-" + longest,
            "250 AUTH " + "PLAIN ".repeat(300));

        assertThat(c.keywords()).containsExactly(longest, "AUTH");
    }

    @Test
    void whatIsKeptIsBoundedWhateverTheReply() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("250-mx");
        for (int i = 1; i < ReplyParser.MAX_LINES - 1; i++) {
            lines.add("250-X" + i);
        }
        lines.add("250 LAST");
        assertThat(ehlo(lines.toArray(String[]::new)).keywords()).hasSize(ReplyParser.MAX_LINES - 1);

        // A reply built in code is not bound by the parser: the lines read are.
        List<String> many = new ArrayList<>();
        many.add("mx");
        for (int i = 0; i < 10_000; i++) {
            many.add("K" + i);
        }
        assertThat(Capabilities.of(new SmtpReply(250, "", many)).keywords()).hasSize(ReplyParser.MAX_LINES - 1);
    }
}
