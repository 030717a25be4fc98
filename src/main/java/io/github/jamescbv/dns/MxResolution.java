package io.github.jamescbv.dns;

import java.util.List;
import java.util.Objects;

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

    public MxResolution(Status status, List<MxHost> hosts, boolean implicit, String reason, List<String> answers) {
        this.status = Objects.requireNonNull(status, "status");
        this.hosts = List.copyOf(hosts);
        this.implicit = implicit;
        this.reason = reason == null ? "" : reason;
        this.answers = List.copyOf(answers);
    }

    public static MxResolution failure(Status status, String reason, List<String> answers) {
        return new MxResolution(status, List.of(), false, reason, answers);
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

    /** The DNS answers seen, one line each, for the CLI's -v and for DEBUG logs. */
    public List<String> answers() {
        return answers;
    }

    @Override
    public String toString() {
        return status + (implicit ? " (implicit)" : "") + " " + hosts + (reason.isEmpty() ? "" : " " + reason);
    }
}
