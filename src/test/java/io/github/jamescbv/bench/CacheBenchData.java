package io.github.jamescbv.bench;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;

/**
 * Realistic cache contents for the cache benchmarks: addresses of 20,000 domains, verdicts
 * with a reply text of about 40 characters, an MX host name, an IPv4 address and the domain.
 * Every string is a new instance, as in production where each verdict is built from its own
 * SMTP dialog, so nothing is shared between entries that a real cache would not share.
 */
final class CacheBenchData {
    static final int DOMAINS = 20_000;

    private CacheBenchData() {
    }

    /** Address number {@code i}, e.g. {@code j.smith000123@mail-00123.example.com}. */
    static String address(int i) {
        return String.format("j.smith%06d@%s", i, domain(i));
    }

    static String domain(int i) {
        return String.format("mail-%05d.example.com", i % DOMAINS);
    }

    /** What a callback to address {@code i} might have said: mostly passes, one in ten unknown users. */
    static Verdict verdict(int i) {
        boolean unknown = i % 10 == 0;
        String domain = domain(i);
        return Verdict.builder(unknown ? Result.ERROR : Result.PASS, Stage.RCPT)
            .code(unknown ? 550 : 250)
            .enhancedCode(unknown ? "5.1.1" : "2.1.5")
            .text(String.format(unknown ? "<j.smith%06d>: user unknown in table" : "<j.smith%06d>: recipient accepted, ok", i))
            .mxHost("mx" + (i % 3) + "." + domain)
            .ip("198.51." + ((i >> 8) & 255) + "." + (i & 255))
            .domain(domain)
            .elapsed(Duration.ofMillis(40 + i % 500))
            .build();
    }
}
