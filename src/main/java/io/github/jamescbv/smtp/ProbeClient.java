package io.github.jamescbv.smtp;

import java.util.concurrent.CompletionStage;

/**
 * Runs one callback dialog against one address of one mail host:
 * connect, 220 greeting, EHLO (HELO if EHLO gets 5xx), STARTTLS and EHLO again as the route's
 * {@link TlsPolicy} says, MAIL FROM, RCPT TO, QUIT. Under {@link TlsPolicy#MAY} a failed STARTTLS
 * means a second connection to the same address, in clear text, within the same deadline.
 *
 * <p>Asynchronous and thread-frugal: many probes share a small fixed set of threads.
 * The stage never completes exceptionally; every failure is a {@link ProbeOutcome}.
 * The stage completes as soon as the deciding reply (or failure) is known; the QUIT that
 * ends the session politely goes on afterwards and never delays the outcome.
 *
 * <p>Follow-up recipients ({@link ProbeQuery#followUps()}) are asked only after the address
 * got a 2xx, once the outcome is delivered; their replies come through
 * {@link ProbeOutcome#followUps()} and never change the outcome.
 */
public interface ProbeClient extends AutoCloseable {

    CompletionStage<ProbeOutcome> probe(ProbeRequest request);

    /** Stops the client's threads; probes in flight complete as failures. */
    @Override
    void close();
}
