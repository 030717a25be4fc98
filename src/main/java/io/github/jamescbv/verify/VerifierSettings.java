package io.github.jamescbv.verify;

import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.core.HostPort;
import io.github.jamescbv.smtp.TlsPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every knob of the engine, with the defaults of the README. Immutable; built and checked
 * by {@link Builder}, which the CLI and the James configuration parser both use.
 */
public final class VerifierSettings {
    public static final int DEFAULT_PORT = 25;
    /** The longest connect, command, total or DNS timeout accepted. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_DNS_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_MX_ATTEMPTS = 5;
    /** STARTTLS when offered, clear text otherwise or when it fails: Postfix's default for its probes. */
    public static final TlsPolicy DEFAULT_TLS = TlsPolicy.MAY;
    /** MAIL FROM and RCPT TO in one round trip when the server offers it (RFC 2920), as Postfix's probes do. */
    public static final boolean DEFAULT_PIPELINING = true;
    /** Threads of the engine's event loop: enough for thousands of probes, which wait, not compute. */
    public static final int DEFAULT_IO_THREADS = 2;

    private final String heloName;
    private final Optional<EmailAddress> mailFrom;
    private final int port;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration totalTimeout;
    private final Duration dnsTimeout;
    private final int maxMxAttempts;
    private final List<String> dnsServers;
    private final boolean allowPrivateTargets;
    private final List<Cidr> allowTargetNetworks;
    private final int ioThreads;
    private final boolean randomCheck;
    private final boolean postmasterCheck;
    private final TlsPolicy tls;
    private final boolean pipelining;

    private VerifierSettings(Builder b) {
        this.heloName = b.heloName != null ? b.heloName : HeloName.local().name();
        this.mailFrom = b.mailFrom;
        this.port = b.port;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.totalTimeout = b.totalTimeout;
        this.dnsTimeout = b.dnsTimeout;
        this.maxMxAttempts = b.maxMxAttempts;
        this.dnsServers = List.copyOf(b.dnsServers);
        this.allowPrivateTargets = b.allowPrivateTargets;
        this.allowTargetNetworks = List.copyOf(b.allowTargetNetworks);
        this.ioThreads = b.ioThreads;
        this.randomCheck = b.randomCheck;
        this.postmasterCheck = b.postmasterCheck;
        this.tls = b.tls;
        this.pipelining = b.pipelining;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String heloName() { return heloName; }
    /** The probe's MAIL FROM; empty = the null sender {@code <>}. */
    public Optional<EmailAddress> mailFrom() { return mailFrom; }
    public int port() { return port; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration commandTimeout() { return commandTimeout; }
    public Duration totalTimeout() { return totalTimeout; }
    public Duration dnsTimeout() { return dnsTimeout; }
    public int maxMxAttempts() { return maxMxAttempts; }
    /** host or host:port of each DNS server; empty = the system's resolvers. */
    public List<String> dnsServers() { return dnsServers; }
    public boolean allowPrivateTargets() { return allowPrivateTargets; }
    /** Private, reserved or loopback networks probes may reach all the same; every other such address stays refused. */
    public List<Cidr> allowTargetNetworks() { return allowTargetNetworks; }
    public int ioThreads() { return ioThreads; }
    /** After a pass, also ask a random local part of the domain: is it a catch-all domain? (Exim's callout/random) */
    public boolean randomCheck() { return randomCheck; }
    /** After a pass, also ask postmaster@domain, which RFC 5321 requires every domain to accept. (Exim's callout/postmaster) */
    public boolean postmasterCheck() { return postmasterCheck; }

    /**
     * The {@code RCPT TO}s one callback may send at most: the address, then each domain check on.
     * {@code perDomainRate} below this would refuse every callback.
     */
    public int probesAtMost() {
        return 1 + (randomCheck ? 1 : 0) + (postmasterCheck ? 1 : 0);
    }
    /** Whether probes use STARTTLS: the catch-all and postmaster checks, and their second connection, too. */
    public TlsPolicy tls() { return tls; }
    /** Whether a probe's MAIL FROM and RCPT TO (and a follow-up's RSET) go out together to a server that announces PIPELINING. */
    public boolean pipelining() { return pipelining; }

    public static final class Builder {
        /** Null until given: the local name is looked up (reverse DNS, maybe) only when none is. */
        private String heloName;
        private Optional<EmailAddress> mailFrom = Optional.empty();
        private int port = DEFAULT_PORT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration totalTimeout = DEFAULT_TOTAL_TIMEOUT;
        private Duration dnsTimeout = DEFAULT_DNS_TIMEOUT;
        private int maxMxAttempts = DEFAULT_MAX_MX_ATTEMPTS;
        private List<String> dnsServers = List.of();
        private boolean allowPrivateTargets;
        private List<Cidr> allowTargetNetworks = List.of();
        private int ioThreads = DEFAULT_IO_THREADS;
        private boolean randomCheck;
        private boolean postmasterCheck;
        private TlsPolicy tls = DEFAULT_TLS;
        private boolean pipelining = DEFAULT_PIPELINING;

        public Builder heloName(String v) {
            this.heloName = HeloName.of(Objects.requireNonNull(v, "heloName"), "configured").name();
            return this;
        }

        public Builder mailFrom(Optional<EmailAddress> v) { this.mailFrom = Objects.requireNonNull(v); return this; }

        public Builder port(int v) {
            if (v < 1 || v > 65535) {
                throw new IllegalArgumentException("bad port '" + v + "' (expected 1-65535)");
            }
            this.port = v;
            return this;
        }

        public Builder connectTimeout(Duration v) { this.connectTimeout = positive(v, "connectTimeout"); return this; }
        public Builder commandTimeout(Duration v) { this.commandTimeout = positive(v, "commandTimeout"); return this; }
        public Builder totalTimeout(Duration v) { this.totalTimeout = positive(v, "totalTimeout"); return this; }
        public Builder dnsTimeout(Duration v) { this.dnsTimeout = positive(v, "dnsTimeout"); return this; }

        public Builder maxMxAttempts(int v) {
            if (v < 1 || v > 100) {
                throw new IllegalArgumentException("bad maxMxAttempts '" + v + "' (expected 1-100)");
            }
            this.maxMxAttempts = v;
            return this;
        }

        public Builder dnsServers(List<String> v) {
            for (String s : v) {
                HostPort.parse(s);
            }
            this.dnsServers = List.copyOf(v);
            return this;
        }

        public Builder allowPrivateTargets(boolean v) { this.allowPrivateTargets = v; return this; }
        public Builder allowTargetNetworks(List<Cidr> v) { this.allowTargetNetworks = List.copyOf(v); return this; }
        public Builder randomCheck(boolean v) { this.randomCheck = v; return this; }
        public Builder postmasterCheck(boolean v) { this.postmasterCheck = v; return this; }
        public Builder tls(TlsPolicy v) { this.tls = Objects.requireNonNull(v, "tls"); return this; }
        public Builder pipelining(boolean v) { this.pipelining = v; return this; }

        public Builder ioThreads(int v) {
            if (v < 1 || v > 64) {
                throw new IllegalArgumentException("bad ioThreads '" + v + "' (expected 1-64)");
            }
            this.ioThreads = v;
            return this;
        }

        public VerifierSettings build() {
            return new VerifierSettings(this);
        }

        /**
         * More than zero and at most {@link #MAX_TIMEOUT}: RFC 5321 (4.5.3.2) asks for minutes per
         * reply, and a bound keeps the timers' nanosecond arithmetic far from overflow.
         */
        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("bad " + name + " '" + d + "' (must be more than zero and at most "
                    + Durations.format(MAX_TIMEOUT) + ")");
            }
            return d;
        }
    }
}
