package io.github.jamescbv.soak;

/**
 * The kinds of sender in the soak run's pool: whose domain is served by which remote, and the
 * verdict the callback should give. Weights are percent of the pool's senders; most are normal.
 */
enum SenderGroup {
    KNOWN("normal MX, known user", "pass", 60),
    UNKNOWN("normal MX, unknown user (550 5.1.1)", "error", 20),
    SLOW("tarpit MX (RCPT reply held 2 s), known user", "pass", 5),
    NULL_SENDER_REFUSED("MX refusing MAIL FROM:<> (554 5.7.1)", "error", 5),
    DEFERRING("MX answering RCPT with 450", "transient", 4),
    REFUSED("MX refusing connections", "transient", 3),
    DNS_TIMEOUT("domain whose DNS lookups time out", "transient", 2),
    NXDOMAIN("domain that does not exist", "error", 1);

    final String description;
    /** The smtp_cbv_result the callback should record. */
    final String expected;
    final int weight;

    SenderGroup(String description, String expected, int weight) {
        this.description = description;
        this.expected = expected;
        this.weight = weight;
    }
}
