package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PackedVerdictTest {
    private static final String DOMAIN = "d.test";

    /** Every printable ASCII character: all a cleaned verdict string can hold. */
    private static final String PRINTABLE;

    static {
        StringBuilder sb = new StringBuilder();
        for (char c = 0x20; c < 0x7f; c++) {
            sb.append(c);
        }
        PRINTABLE = sb.toString();
    }

    private static Verdict.Builder typical() {
        return Verdict.builder(Result.PASS, Stage.RCPT).code(250).enhancedCode("2.1.5")
            .text("<j.smith000123>: recipient accepted, ok").mxHost("mx0.mail-00123.example.com")
            .ip("198.51.0.123").domain(DOMAIN).elapsed(Duration.ofMillis(163));
    }

    static Stream<Verdict> verdicts() {
        List<Verdict> all = new ArrayList<>();
        for (Result r : Result.values()) {
            for (Stage s : Stage.values()) {
                all.add(Verdict.builder(r, s).domain(DOMAIN).build());
                all.add(Verdict.builder(r, s).cached(true).build());
            }
        }
        all.add(typical().build());
        all.add(typical().cached(true).build());
        for (int code : new int[] {0, 1, 63, 64, 421, 550, 999, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            all.add(typical().code(code).build());
        }
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofNanos(1), Duration.ofSeconds(59, 999_999_999),
            Duration.ofDays(40_000), Duration.ofMillis(-5), Duration.ofSeconds(1L << 40, 999_999_999),
            Duration.ofSeconds(-(1L << 40))}) { // beyond that, Verdict.detail()'s milliseconds overflow
            all.add(typical().elapsed(d).build());
        }
        String longest = "x".repeat(Verdict.MAX_TEXT_LENGTH + 40); // cut to 512 + "..." by the verdict
        all.add(typical().text(longest).build());
        all.add(typical().text(PRINTABLE).enhancedCode("").mxHost(PRINTABLE).ip("").build());
        all.add(typical().text("").mxHost("").ip("2001:db8::25").enhancedCode("4.7.1").build());
        all.add(typical().domain("other.test").build());
        all.add(typical().domain("").build());
        for (String tls : new String[] {"", Verdict.NO_TLS, "TLSv1.3 TLS_AES_256_GCM_SHA384", PRINTABLE}) {
            all.add(typical().tls(tls).build());
            all.add(typical().tls(tls).acceptAll(Fact.of(true, "250 ok")).postmasterRejected(Fact.unknown("")).build());
        }
        for (DnsFailure cause : DnsFailure.values()) {
            all.add(Verdict.builder(Result.TRANSIENT, Stage.DNS).text("MX lookup failed").domain(DOMAIN).dnsFailure(cause).build());
            all.add(typical().tls("TLSv1.3 TLS_AES_256_GCM_SHA384").cached(true).dnsFailure(cause).build());
        }
        for (Fact f : facts()) {
            all.add(typical().acceptAll(f).build());
            all.add(typical().postmasterRejected(f).build());
            all.add(typical().acceptAll(f).postmasterRejected(Fact.of(false, PRINTABLE)).build());
        }
        return all.stream();
    }

    private static List<Fact> facts() {
        List<Fact> facts = new ArrayList<>();
        for (String text : new String[] {"", "250 2.1.5 ok", "x".repeat(Fact.MAX_TEXT_LENGTH + 1)}) {
            facts.add(Fact.of(true, text));
            facts.add(Fact.of(false, text));
            facts.add(Fact.remembered(true, text));
            facts.add(Fact.remembered(false, text));
            facts.add(Fact.unknown(text));
        }
        return facts;
    }

    @ParameterizedTest
    @MethodSource("verdicts")
    void everyFieldSurvivesPackingWithTheDomainImplied(Verdict v) {
        Verdict back = PackedVerdict.unpack(PackedVerdict.pack(v, DOMAIN), DOMAIN);
        assertSameFields(back, v);
    }

    @ParameterizedTest
    @MethodSource("verdicts")
    void everyFieldSurvivesPackingWithTheDomainStored(Verdict v) {
        byte[] packed = PackedVerdict.pack(v, "unrelated.test");
        assertSameFields(PackedVerdict.unpack(packed, "unrelated.test"), v);
        assertThat(PackedVerdict.result(packed)).isEqualTo(v.result());
    }

    /** equals() covers every field; the detail map and toString are what logs and attributes show. */
    private static void assertSameFields(Verdict back, Verdict v) {
        assertThat(back).isEqualTo(v);
        assertThat(back.detail()).isEqualTo(v.detail());
        assertThat(back.toString()).isEqualTo(v.toString());
        assertThat(back.elapsed()).isEqualTo(v.elapsed());
        assertThat(back.acceptAll().map(Fact::remembered)).isEqualTo(v.acceptAll().map(Fact::remembered));
        assertThat(back.postmasterRejected().map(Fact::remembered)).isEqualTo(v.postmasterRejected().map(Fact::remembered));
    }

    @Test
    void aSessionInClearTextCostsNoByteAndATlsOneItsName() {
        Verdict v = typical().build();
        int without = PackedVerdict.pack(v, DOMAIN).length;
        String tls = "TLSv1.3 TLS_AES_256_GCM_SHA384";
        assertThat(PackedVerdict.pack(typical().tls(Verdict.NO_TLS).build(), DOMAIN)).hasSize(without);
        assertThat(PackedVerdict.pack(typical().tls(tls).build(), DOMAIN)).hasSize(without + 1 + tls.length());
    }

    @Test
    void anArrayPackedBeforeTheTlsStateReadsAsNoSession() {
        // What an earlier version wrote: the same layout, with neither TLS flag nor the string.
        Verdict v = typical().tls("TLSv1.3 TLS_AES_256_GCM_SHA384").build();
        byte[] packed = PackedVerdict.pack(v, DOMAIN);
        byte[] earlier = Arrays.copyOf(packed, packed.length - 1 - v.tls().length());
        earlier[2] &= ~(4 | 8);
        assertThat(PackedVerdict.unpack(earlier, DOMAIN)).isEqualTo(typical().build());
    }

    @ParameterizedTest
    @MethodSource("verdicts")
    void theMomentItWasRememberedReadsBackWithoutUnpackingAndChangesNothingElse(Verdict v) {
        long madeAt = 1_700_000_123_456L;
        for (String implied : new String[] {DOMAIN, "unrelated.test"}) {
            byte[] packed = PackedVerdict.pack(v, implied, madeAt);
            assertThat(PackedVerdict.madeAtMillis(packed)).isEqualTo(madeAt);
            assertSameFields(PackedVerdict.unpack(packed, implied), v);
            assertThat(PackedVerdict.madeAtMillis(PackedVerdict.pack(v, implied))).as("unknown").isZero();
        }
    }

    @Test
    void theMomentComesLastSoThatAnEarlierReaderStopsBeforeItAndAnEarlierArrayReadsAsUnknown() {
        Verdict v = typical().tls("TLSv1.3 TLS_AES_256_GCM_SHA384").acceptAll(Fact.of(true, "250 ok")).build();
        byte[] earlier = PackedVerdict.pack(v, DOMAIN);
        byte[] now = PackedVerdict.pack(v, DOMAIN, 1_700_000_000_000L);
        assertThat(now).as("6 bytes more for an epoch millisecond of this century").hasSize(earlier.length + 6);
        byte[] prefix = Arrays.copyOf(now, earlier.length);
        prefix[2] &= ~0x80;
        assertThat(prefix).as("everything an earlier version reads is where it was").isEqualTo(earlier);
        assertThat(PackedVerdict.madeAtMillis(earlier)).isZero();
    }

    @Test
    void howAVerdictWasServedIsNotPacked() {
        Verdict served = typical().cached(true).refreshing(true).build();
        assertThat(PackedVerdict.unpack(PackedVerdict.pack(served, DOMAIN, 1L), DOMAIN))
            .isEqualTo(typical().cached(true).build());
    }

    @Test
    void whyDnsFailedCostsNoByte() {
        Verdict v = Verdict.builder(Result.TRANSIENT, Stage.DNS).text("MX lookup for d.test failed: SERVFAIL").build();
        assertThat(PackedVerdict.pack(v.toBuilder().dnsFailure(DnsFailure.RESOLVER_UNREACHABLE).build(), DOMAIN))
            .hasSize(PackedVerdict.pack(v, DOMAIN).length);
    }

    @Test
    void theWaitOfTheRequestThatMadeAVerdictIsNotKept() {
        Verdict waited = typical().waited(Duration.ofSeconds(18)).build();
        byte[] packed = PackedVerdict.pack(waited, DOMAIN);
        assertThat(packed).as("no byte for it").isEqualTo(PackedVerdict.pack(typical().build(), DOMAIN));
        Verdict back = PackedVerdict.unpack(packed, DOMAIN);
        assertThat(back.waited()).isZero();
        assertThat(back).isEqualTo(typical().build());
        assertThat(back.detail()).containsEntry("waitMs", "0");
    }

    @Test
    void anImpliedDomainIsNotStored() {
        Verdict v = typical().build();
        int implied = PackedVerdict.pack(v, DOMAIN).length;
        int stored = PackedVerdict.pack(v, "other.test").length;
        assertThat(stored - implied).isEqualTo(1 + DOMAIN.length());
    }

    @Test
    void aTypicalPassPacksIntoAboutAHundredBytes() {
        // 5 fixed bytes, code 2, elapsed 1 (seconds) + 5 (nanoseconds), and each string's length byte and characters.
        Verdict v = typical().build();
        int strings = v.enhancedCode().length() + v.text().length() + v.mxHost().length() + v.ip().length() + 4;
        assertThat(PackedVerdict.pack(v, DOMAIN)).hasSize(5 + 2 + 6 + strings);
    }

    @Test
    void theRuleThatATransientDoesNotReplaceAPassWorksOnPackedVerdicts() {
        byte[] pass = PackedVerdict.pack(typical().build(), DOMAIN);
        byte[] error = PackedVerdict.pack(typical().code(550).build().toBuilder().build(), DOMAIN);
        byte[] transientOne = PackedVerdict.pack(Verdict.builder(Result.TRANSIENT, Stage.RCPT).code(450).build(), DOMAIN);
        byte[] errorOne = PackedVerdict.pack(Verdict.builder(Result.ERROR, Stage.RCPT).code(550).build(), DOMAIN);
        assertThat(ReplaceRule.replacesPacked(transientOne, pass)).isFalse();
        assertThat(ReplaceRule.replacesPacked(errorOne, pass)).isTrue();
        assertThat(ReplaceRule.replacesPacked(pass, transientOne)).isTrue();
        assertThat(ReplaceRule.replacesPacked(transientOne, errorOne)).isTrue();
        assertThat(ReplaceRule.replacesPacked(transientOne, error)).isFalse(); // "error" above is still a pass
    }
}
