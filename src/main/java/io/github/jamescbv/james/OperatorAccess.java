package io.github.jamescbv.james;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.Protections;
import java.time.Duration;
import java.util.Optional;

/**
 * What an operator's request (WebAdmin) needs to act as the handler would: the handler's map,
 * its {@code skipDomains}, its engine and settings behind the process's protections, and those
 * protections themselves. The first {@link CallbackVerifyHandler} of the process registers it
 * with the {@link CbvRuntime} at init; so what an operator verifies, reads or forgets is what
 * that handler verifies, reads and forgets, in the one memory every handler and mailet shares.
 */
public final class OperatorAccess {
    /** Added to the longest a callback may take through the guard, before a waiting request gives up on it. */
    private static final Duration WAIT_MARGIN = Duration.ofSeconds(5);
    private static final String CONTEXT = "webadmin";

    private final CallbackStarter starter;
    private final DomainMap map;
    private final Exemptions exemptions;
    private final Protections protections;
    private final Duration longestWait;

    /**
     * @param starter       the handler's guarded engine and map, logging as an operator's request
     * @param admissionWait how long the guard lets a request wait for the limits; the callback
     *                      after that is bounded by the same (the engine's total timeout)
     */
    OperatorAccess(CallbackStarter starter, DomainMap map, Exemptions exemptions, Protections protections,
                   Duration admissionWait) {
        this.starter = starter;
        this.map = map;
        this.exemptions = exemptions;
        this.protections = protections;
        this.longestWait = admissionWait.multipliedBy(2).plus(WAIT_MARGIN);
    }

    /** Why the handler would never call {@code address} back ({@code skipDomains}), or empty. */
    public Optional<String> notProbed(EmailAddress address) {
        return exemptions.reason(address.domain(), Optional.empty());
    }

    /** Where the handler calls {@code address} back: the memory holds its verdict under the target's recipient. */
    public CallbackTarget target(EmailAddress address) {
        return map.route(address);
    }

    /**
     * The domain called back for the senders of {@code domain} (another one when the map says
     * so): the domain whose verdicts and facts the memory holds for them.
     *
     * @throws InvalidAddressException when {@code domain} is not a domain we call back
     */
    public String calledBackDomain(String domain) throws InvalidAddressException {
        return map.route(EmailAddress.of("postmaster", domain)).domain();
    }

    /**
     * Calls {@code address} back now, with the handler's settings and within the process's limits,
     * and waits for the verdict: on the caller's thread (a WebAdmin request's, never an SMTP event
     * loop's), at most as long as the guard may take. A verdict not in by then is {@code transient},
     * "verification still in progress"; the callback goes on and its verdict is remembered.
     */
    public Verdict verifyNow(EmailAddress address, DialogListener dialog) {
        PendingVerdict pending = starter.startNow(address, CONTEXT, dialog);
        pending.awaitAtMost(longestWait);
        return pending.nowOrInProgress();
    }

    /** The process's verdict memory and limits, as every handler and mailet uses them. */
    public Protections protections() {
        return protections;
    }
}
