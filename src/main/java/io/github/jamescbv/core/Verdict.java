package io.github.jamescbv.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable answer of one verification: the result and everything that explains it.
 * Logs, attributes, the CLI and metrics all print this same value.
 */
public final class Verdict {
    /** Remote text kept in a verdict is cut to this many characters. */
    public static final int MAX_TEXT_LENGTH = 512;
    /** A TLS protocol and cipher suite name: the longest the JDK knows is about 50 characters. */
    public static final int MAX_TLS_LENGTH = 100;
    /** {@link #tls()} of a session that stayed in clear text. */
    public static final String NO_TLS = "none";

    private final Result result;
    private final Stage stage;
    private final int code;
    private final String enhancedCode;
    private final String text;
    private final String mxHost;
    private final String ip;
    private final String tls;
    private final String domain;
    private final Duration elapsed;
    private final Duration waited;
    private final boolean cached;
    private final boolean refreshing;
    /** Null when not checked. */
    private final Fact acceptAll;
    /** Null when not checked. */
    private final Fact postmasterRejected;
    /** Null unless DNS failed. */
    private final DnsFailure dnsFailure;

    private Verdict(Builder b) {
        this.result = Objects.requireNonNull(b.result, "result");
        this.stage = Objects.requireNonNull(b.stage, "stage");
        this.code = b.code;
        this.enhancedCode = SafeText.clean(b.enhancedCode, 16);
        this.text = SafeText.clean(b.text, MAX_TEXT_LENGTH);
        this.mxHost = SafeText.clean(b.mxHost, 255);
        this.ip = SafeText.clean(b.ip, 64);
        this.tls = SafeText.clean(b.tls, MAX_TLS_LENGTH);
        this.domain = SafeText.clean(b.domain, 255);
        this.elapsed = b.elapsed == null ? Duration.ZERO : b.elapsed;
        this.waited = b.waited == null ? Duration.ZERO : b.waited;
        this.cached = b.cached;
        this.refreshing = b.refreshing;
        this.acceptAll = b.acceptAll;
        this.postmasterRejected = b.postmasterRejected;
        this.dnsFailure = b.dnsFailure;
    }

    public static Builder builder(Result result, Stage stage) {
        return new Builder(result, stage);
    }

    public Result result() { return result; }
    public Stage stage() { return stage; }
    /** The SMTP reply code that decided, or 0 when no reply decided (DNS, connect failure, policy). */
    public int code() { return code; }
    /** The RFC 3463 enhanced status code, or "" when the reply had none. */
    public String enhancedCode() { return enhancedCode; }
    /** The remote reply text or our own reason: sanitised, at most {@link #MAX_TEXT_LENGTH} characters. */
    public String text() { return text; }
    /** The MX host name talked to, or "". */
    public String mxHost() { return mxHost; }
    /** The IP address talked to, or "". */
    public String ip() { return ip; }
    /**
     * How the deciding session was protected: the TLS protocol and cipher suite
     * ({@code TLSv1.3 TLS_AES_256_GCM_SHA384}), {@value #NO_TLS} for clear text, or "" when no
     * session decided (DNS, policy, a connect that failed).
     */
    public String tls() { return tls; }
    /** The domain called back (after the domain map). */
    public String domain() { return domain; }
    /**
     * How long the callback took, from its start to its verdict; for a verdict from memory, how long
     * the callback that made it took. Zero when no callback was made (a refusal by a limit).
     */
    public Duration elapsed() { return elapsed; }

    /**
     * How long this request waited before its callback could start: for the limits (the domain's
     * slots and rate, the process's slots) and what is asked of the memory on the way. Zero for a
     * verdict answered from memory at once: a remembered verdict never replays the wait of the
     * request that made it, and the memory does not keep it.
     */
    public Duration waited() { return waited; }
    public boolean cached() { return cached; }

    /**
     * A remembered pass older than the cache's {@code passRefresh}, answered at once while a
     * callback in the background renews it. A mark of how the verdict was served, never
     * remembered itself.
     */
    public boolean refreshing() { return refreshing; }

    /**
     * Whether the domain accepts every local part (the catch-all check: a random address
     * accepted as well); empty when not checked. The result stays what the address's own RCPT
     * TO decided: this only qualifies a pass.
     */
    public Optional<Fact> acceptAll() { return Optional.ofNullable(acceptAll); }

    /** Whether the domain rejects postmaster@domain, which RFC 5321 requires it to accept; empty when not checked. */
    public Optional<Fact> postmasterRejected() { return Optional.ofNullable(postmasterRejected); }

    /**
     * Why DNS gave no usable answer, for a {@code transient} of stage {@code dns}: it says whether
     * the domain or we are to blame, and so how long the verdict is remembered. Empty otherwise.
     */
    public Optional<DnsFailure> dnsFailure() { return Optional.ofNullable(dnsFailure); }

    /** True when the domain is known to accept every local part. */
    public boolean acceptsAll() { return acceptAll != null && acceptAll.isTrue(); }

    public Builder toBuilder() {
        return new Builder(result, stage).code(code).enhancedCode(enhancedCode).text(text)
            .mxHost(mxHost).ip(ip).tls(tls).domain(domain).elapsed(elapsed).waited(waited).cached(cached)
            .refreshing(refreshing).acceptAll(acceptAll).postmasterRejected(postmasterRejected).dnsFailure(dnsFailure);
    }

    /**
     * The detail as an ordered map of strings: the shape used by the Mail attribute and JSON.
     * The domain checks appear only when made: {@code acceptAll} and {@code postmasterRejected}
     * ({@code true}, {@code false} or {@code unknown}), each followed by its {@code ...Text} when
     * there is one (the reply, or why the answer is unknown); {@code dnsFailure} only when DNS failed.
     * {@code refreshing} appears only when true (see {@link #refreshing()}).
     */
    public Map<String, String> detail() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("result", result.word());
        m.put("stage", stage.word());
        m.put("code", code == 0 ? "" : Integer.toString(code));
        m.put("enhancedCode", enhancedCode);
        m.put("text", text);
        m.put("mxHost", mxHost);
        m.put("ip", ip);
        m.put("tls", tls);
        m.put("domain", domain);
        m.put("elapsedMs", Long.toString(elapsed.toMillis()));
        m.put("waitMs", Long.toString(waited.toMillis()));
        m.put("cached", Boolean.toString(cached));
        if (refreshing) {
            m.put("refreshing", "true");
        }
        putFact(m, "acceptAll", acceptAll);
        putFact(m, "postmasterRejected", postmasterRejected);
        if (dnsFailure != null) {
            m.put("dnsFailure", dnsFailure.word());
        }
        return m;
    }

    private static void putFact(Map<String, String> m, String key, Fact fact) {
        if (fact != null) {
            m.put(key, fact.value().word());
            if (!fact.text().isEmpty()) {
                m.put(key + "Text", fact.text());
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(result.word()).append(" stage=").append(stage.word());
        if (code != 0) {
            sb.append(" code=").append(code);
        }
        if (!enhancedCode.isEmpty()) {
            sb.append(" enhanced=").append(enhancedCode);
        }
        if (!domain.isEmpty()) {
            sb.append(" domain=").append(domain);
        }
        if (!mxHost.isEmpty()) {
            sb.append(" mx=").append(mxHost);
        }
        if (!ip.isEmpty()) {
            sb.append(" ip=").append(ip);
        }
        if (!tls.isEmpty()) {
            sb.append(" tls=\"").append(tls).append('"');
        }
        sb.append(" ms=").append(elapsed.toMillis()).append(" waitMs=").append(waited.toMillis());
        if (cached) {
            sb.append(" cached=true");
        }
        if (refreshing) {
            sb.append(" refreshing=true");
        }
        if (acceptAll != null) {
            sb.append(" acceptAll=").append(acceptAll.value().word());
        }
        if (postmasterRejected != null) {
            sb.append(" postmasterRejected=").append(postmasterRejected.value().word());
        }
        if (dnsFailure != null) {
            sb.append(" dnsFailure=").append(dnsFailure.word());
        }
        if (!text.isEmpty()) {
            sb.append(" text=\"").append(text).append('"');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Verdict)) {
            return false;
        }
        Verdict v = (Verdict) o;
        return result == v.result && stage == v.stage && code == v.code && cached == v.cached && refreshing == v.refreshing
            && enhancedCode.equals(v.enhancedCode) && text.equals(v.text) && mxHost.equals(v.mxHost)
            && ip.equals(v.ip) && tls.equals(v.tls) && domain.equals(v.domain) && elapsed.equals(v.elapsed)
            && waited.equals(v.waited) && Objects.equals(acceptAll, v.acceptAll)
            && Objects.equals(postmasterRejected, v.postmasterRejected) && dnsFailure == v.dnsFailure;
    }

    @Override
    public int hashCode() {
        return Objects.hash(result, stage, code, enhancedCode, text, mxHost, ip, tls, domain, elapsed, waited, cached,
            refreshing, acceptAll, postmasterRejected, dnsFailure);
    }

    public static final class Builder {
        private final Result result;
        private final Stage stage;
        private int code;
        private String enhancedCode;
        private String text;
        private String mxHost;
        private String ip;
        private String tls;
        private String domain;
        private Duration elapsed;
        private Duration waited;
        private boolean cached;
        private boolean refreshing;
        private Fact acceptAll;
        private Fact postmasterRejected;
        private DnsFailure dnsFailure;

        private Builder(Result result, Stage stage) {
            this.result = result;
            this.stage = stage;
        }

        public Builder code(int code) { this.code = code; return this; }
        public Builder enhancedCode(String v) { this.enhancedCode = v; return this; }
        public Builder text(String v) { this.text = v; return this; }
        public Builder mxHost(String v) { this.mxHost = v; return this; }
        public Builder ip(String v) { this.ip = v; return this; }
        /** See {@link Verdict#tls()}. */
        public Builder tls(String v) { this.tls = v; return this; }
        public Builder domain(String v) { this.domain = v; return this; }
        public Builder elapsed(Duration v) { this.elapsed = v; return this; }
        /** See {@link Verdict#waited()}. */
        public Builder waited(Duration v) { this.waited = v; return this; }
        public Builder cached(boolean v) { this.cached = v; return this; }
        /** See {@link Verdict#refreshing()}. */
        public Builder refreshing(boolean v) { this.refreshing = v; return this; }
        /** null = not checked. */
        public Builder acceptAll(Fact v) { this.acceptAll = v; return this; }
        /** null = not checked. */
        public Builder postmasterRejected(Fact v) { this.postmasterRejected = v; return this; }
        /** null = DNS did not fail. */
        public Builder dnsFailure(DnsFailure v) { this.dnsFailure = v; return this; }

        public Result result() { return result; }

        public Verdict build() {
            return new Verdict(this);
        }
    }
}
