package io.github.jamescbv.policy;

/**
 * The limit that refused a callback, for the counts an operator reads; the refusal's own text
 * says more (which domain, which client). The texts of the domain budgets are made here, so that
 * every store words them alike and the guard can tell them apart ({@link #ofAdmissionRefusal}).
 */
public enum Limit {
    /** {@code perClientRate}: the connecting client caused too many new callbacks this minute. */
    CLIENT_RATE("clientRate"),
    /** {@code perDomainConcurrent}: every slot of the called-back domain is taken. */
    DOMAIN_CONCURRENCY("domainConcurrency"),
    /** {@code perDomainRate}: the domain was called back often enough this minute. */
    DOMAIN_RATE("domainRate"),
    /** {@code maxConcurrent} and {@code maxQueued}: this process has no room. */
    CAPACITY("capacity"),
    /** Anything else: the limits closed (James stopping), a limit store that failed, no domain. */
    OTHER("other");

    private static final String IN_FLIGHT = " already in flight";
    private static final String RATE_REACHED = " per minute reached";
    private static final String RATE_TOO_LOW = " per minute is below the ";

    private final String word;

    Limit(String word) {
        this.word = word;
    }

    /** Its name in JSON and in metric names: {@code clientRate}, {@code domainConcurrency}... */
    public String word() {
        return word;
    }

    /** "domain example.com: 2 callbacks already in flight". */
    public static String domainBusy(String domain, long inFlight) {
        return "domain " + domain + ": " + inFlight + (inFlight == 1 ? " callback" : " callbacks") + IN_FLIGHT;
    }

    /** "domain example.com: rate of 30 per minute reached". */
    public static String domainRateReached(String domain, int perMinute) {
        return "domain " + domain + ": rate of " + perMinute + RATE_REACHED;
    }

    /**
     * "domain example.com: rate of 2 per minute is below the 3 RCPT TOs a callback may send":
     * a request weighing more than the whole rate, refused at once rather than left waiting for
     * a minute that can never hold it.
     */
    public static String domainRateTooLow(String domain, int perMinute, int probes) {
        return "domain " + domain + ": rate of " + perMinute + RATE_TOO_LOW + probes + " RCPT TOs a callback may send";
    }

    /** Which limit a refused {@link Admission} names (the budgets' texts above, the capacity's). */
    static Limit ofAdmissionRefusal(String reason) {
        if (reason.startsWith(ProcessCapacity.CAPACITY_EXCEEDED)) {
            return CAPACITY;
        }
        // A domain name holds no space, so the phrases cannot come from the name.
        if (reason.startsWith("domain ") && reason.contains(IN_FLIGHT)) {
            return DOMAIN_CONCURRENCY;
        }
        if (reason.startsWith("domain ") && (reason.contains(RATE_REACHED) || reason.contains(RATE_TOO_LOW))) {
            return DOMAIN_RATE;
        }
        return OTHER;
    }
}
