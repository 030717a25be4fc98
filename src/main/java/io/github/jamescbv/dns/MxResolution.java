package io.github.jamescbv.dns;

import io.github.jamescbv.core.DnsFailure;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The outcome of a mail-host lookup: a status, the hosts in the order to try, and why. */
public final class MxResolution {

    public enum Status {
        /** At least one host has at least one address. */
        FOUND,
        /** RFC 7505 null MX ({@code MX 0 .}): the domain accepts no mail. Permanent. */
        NULL_MX,
        /** The domain does not exist. Permanent. */
        NXDOMAIN,
        /** The domain exists but names no reachable mail host (no MX and no A/AAAA, or MX hosts that do not exist). Permanent. */
        NO_MAIL_HOST,
        /** SERVFAIL, timeout, or any other failure that may heal. Temporary. */
        TEMPFAIL
    }

    private final Status status;
    private final List<MxHost> hosts;
    private final boolean implicit;
    private final String reason;
    private final List<String> answers;
    private final DnsFailure cause;

    public MxResolution(Status status, List<MxHost> hosts, boolean implicit, String reason, List<String> answers) {
        this(status, hosts, implicit, reason, answers, null);
    }

    private MxResolution(Status status, List<MxHost> hosts, boolean implicit, String reason, List<String> answers,
                         DnsFailure cause) {
        this.status = Objects.requireNonNull(status, "status");
        this.hosts = List.copyOf(hosts);
        this.implicit = implicit;
        this.reason = reason == null ? "" : reason;
        this.answers = List.copyOf(answers);
        this.cause = cause;
    }

    /** A permanent failure; for a temporary one, {@link #tempfail}. */
    public static MxResolution failure(Status status, String reason, List<String> answers) {
        return new MxResolution(status, List.of(), false, reason, answers);
    }

    /** {@link Status#TEMPFAIL}, for the reason {@code cause} names (null when none does). */
    public static MxResolution tempfail(DnsFailure cause, String reason, List<String> answers) {
        return new MxResolution(Status.TEMPFAIL, List.of(), false, reason, answers, cause);
    }

    public Status status() {
        return status;
    }

    /** Hosts in the order to try (only meaningful for FOUND; may hold hosts without addresses). */
    public List<MxHost> hosts() {
        return hosts;
    }

    /** True when the hosts come from the domain's own A/AAAA records (no MX at all). */
    public boolean implicit() {
        return implicit;
    }

    /** Human-readable reason for a failure status, e.g. "NXDOMAIN for example.com". */
    public String reason() {
        return reason;
    }

    /** Why a {@link Status#TEMPFAIL} happened, as far as DNS told; empty for other statuses. */
    public Optional<DnsFailure> cause() {
        return Optional.ofNullable(cause);
    }

    /** The DNS answers seen, one line each, for the CLI's -v and for DEBUG logs. */
    public List<String> answers() {
        return answers;
    }

    @Override
    public String toString() {
        return status + (cause == null ? "" : " (" + cause.word() + ")") + (implicit ? " (implicit)" : "") + " " + hosts
            + (reason.isEmpty() ? "" : " " + reason);
    }
}
