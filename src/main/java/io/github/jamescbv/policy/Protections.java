package io.github.jamescbv.policy;

import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.verify.Verifier;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One set of protections: the verdict memory, the remote budgets and this process's capacity.
 * A process holds one set, shared by every handler, mailet and WebAdmin route, so that a remote
 * domain's budget and a forged sender's remembered answer do not depend on who asked.
 */
public final class Protections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Protections.class);

    private final VerdictMemory memory;
    private final RemoteBudgets budgets;
    private final ProcessCapacity capacity;
    private final Ticker ticker;
    private final List<AutoCloseable> owned;
    private final List<SharedStoreHealth> sharedStores;
    private final RenewalPauses renewalPauses;
    private boolean closed;

    /**
     * @param ticker the clock of the limits' deadlines, which the guard measures waits on
     * @param owned closed after the three, in this order (the timer thread they run on, a store's client)
     */
    public Protections(VerdictMemory memory, RemoteBudgets budgets, ProcessCapacity capacity, Ticker ticker,
                       List<AutoCloseable> owned) {
        this(memory, budgets, capacity, ticker, owned, List.of());
    }

    /** @param sharedStores the stores shared with other nodes behind these, for the metrics (none when all is local) */
    public Protections(VerdictMemory memory, RemoteBudgets budgets, ProcessCapacity capacity, Ticker ticker,
                       List<AutoCloseable> owned, List<SharedStoreHealth> sharedStores) {
        this.sharedStores = List.copyOf(sharedStores);
        this.memory = memory;
        this.budgets = budgets;
        this.capacity = capacity;
        this.ticker = ticker;
        this.owned = List.copyOf(owned);
        this.renewalPauses = GuardedVerifier.renewalPauses(ticker);
    }

    /** {@code engine} behind these protections. */
    public GuardedVerifier guard(Verifier engine, Duration admissionWait) {
        return guard(engine, admissionWait, GuardEvents.NONE);
    }

    /** As above, every hit, miss, join and refusal told to {@code events}. */
    public GuardedVerifier guard(Verifier engine, Duration admissionWait, GuardEvents events) {
        return new GuardedVerifier(engine, admissionWait, memory, budgets, capacity, ticker, events, renewalPauses);
    }

    public VerdictMemory memory() {
        return memory;
    }

    public RemoteBudgets budgets() {
        return budgets;
    }

    public ProcessCapacity capacity() {
        return capacity;
    }

    /** The stores shared with other nodes, empty when everything is in this process. */
    public List<SharedStoreHealth> sharedStores() {
        return sharedStores;
    }

    /**
     * Refuses everyone waiting ("callback limits closed") and every later request, then lets go
     * of the stores and stops what was owned. Granted admissions may still be released. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        capacity.close();
        budgets.close();
        memory.close();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping the callback protections failed", e);
            }
        }
    }
}
