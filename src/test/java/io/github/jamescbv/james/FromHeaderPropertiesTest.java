package io.github.jamescbv.james;

import static io.github.jamescbv.james.CallbackVerifyMailetTest.detail;
import static io.github.jamescbv.james.CallbackVerifyMailetTest.mail;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.testing.FakeVerifier;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;

/**
 * Generated From headers, built from what makes address parsing hard (angle brackets, quotes,
 * comments, groups, encoded words, CR, LF, NUL and other controls, non-ASCII, very long runs),
 * through the mailet ({@code address=header:From}) with an engine that only records what it
 * would be asked to call back. Whatever the header: no exception, the mail gets an attribute
 * with a printable text, and any address that reaches the engine is one that could be written
 * into {@code RCPT TO:<...>} as it is: printable ASCII, at most 254 characters.
 */
class FromHeaderPropertiesTest {
    private static final String ATTRIBUTE = "smtp_cbv_from";

    @Property(tries = 400)
    void whateverTheFromHeaderOnlySafeAddressesReachTheEngine(@ForAll("fromHeaders") String from) throws Exception {
        FakeVerifier engine = new FakeVerifier();
        List<EmailAddress> asked = engine.asked();
        CbvRuntime runtime = new CbvRuntime(settings -> engine);
        CallbackVerifyMailet mailet = new CallbackVerifyMailet(runtime, new RecordingMetricFactory());
        mailet.init(FakeMailetConfig.builder().mailetName("cbv").setProperty("address", "header:From")
            .setProperty("heloName", "verifier.test")
            .setProperty("attribute", ATTRIBUTE).build());
        Mail mail = mail("bounces@list.example", from);

        try {
            mailet.service(mail);
        } finally {
            runtime.close();
        }

        Map<String, String> detail = detail(mail, ATTRIBUTE);
        assertThat(detail.get("text")).matches("[ -~]*");
        for (EmailAddress a : asked) {
            String written = a.toString();
            assertThat(written).matches("[!-~]+").hasSizeLessThanOrEqualTo(EmailAddress.MAX_ADDRESS);
            assertThat(EmailAddress.parse(written)).as("parses again to itself").isEqualTo(a);
        }
        if (asked.isEmpty()) {
            assertThat(detail).containsEntry("result", "transient").containsEntry("stage", "policy");
            assertThat(detail.get("text")).startsWith("address cannot be verified");
        } else {
            assertThat(asked).hasSize(1);
            assertThat(detail).containsEntry("result", "pass");
            assertUsable(from, asked.get(0));
        }
    }

    /**
     * An address that was called back came from a header without controls left after unfolding
     * (as javax.mail unfolds: a line break, CRLF or a lone CR or LF, before a space or tab).
     */
    private static void assertUsable(String from, EmailAddress called) {
        String unfolded = from.replaceAll("(\r\n|\r|\n)([ \t])", "$2");
        assertThat(unfolded.chars().noneMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)).as("controls in %s", from).isTrue();
        assertThat(unfolded).contains(called.localPart());
    }

    @Provide
    Arbitrary<String> fromHeaders() {
        Arbitrary<String> pieces = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.of("alice", "bob.smith", "x", "o'hara", "a+b", "user", "=?UTF-8?Q?A=0D=0A?=")),
            Tuple.of(6, Arbitraries.of("@", "<", ">", "\"", " ", ".", ",", ";", ":", "(", ")", "[", "]", "\\")),
            Tuple.of(4, Arbitraries.of("remote.example", "example.org", "[192.0.2.1]", "xn--bcher-kva.example")),
            Tuple.of(3, Arbitraries.of("\r\n", "\r", "\n", "\r\n ", "\u0000", "\t", "\u007f", "\u001b", "\u0085")),
            Tuple.of(2, Arbitraries.of("é", "ü", "\u2028", "\uff20", "\u00a0", "😀")),
            Tuple.of(1, Arbitraries.integers().between(60, 300).map("a"::repeat)),
            Tuple.of(1, Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(10)));
        Arbitrary<String> mixed = pieces.list().ofMinSize(1).ofMaxSize(20).map(l -> String.join("", l));
        // Half of them shaped like a From: the generated text around a plausible address.
        Arbitrary<String> shaped = Arbitraries.oneOf(pieces, Arbitraries.just("")).list().ofSize(4)
            .map(l -> l.get(0) + " <" + l.get(1) + "alice" + l.get(2) + "@remote.example" + l.get(3) + ">");
        return Arbitraries.oneOf(mixed, shaped).filter(s -> !s.isBlank());
    }
}
