package io.github.jamescbv.bench;

import javax.inject.Inject;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.GuiceProbe;

/**
 * How many mails wait in James's spool. The benchmark waits for it to empty between runs, so
 * that no run's mail processing spills into the next one's measurement.
 */
public class SpoolProbe implements GuiceProbe {
    private final MailQueueFactory<? extends ManageableMailQueue> queues;

    @Inject
    public SpoolProbe(MailQueueFactory<? extends ManageableMailQueue> queues) {
        this.queues = queues;
    }

    /** Mails in the spool queue; 0 when the queue does not exist yet. */
    public long spoolSize() throws MailQueue.MailQueueException {
        ManageableMailQueue spool = queues.getQueue(MailQueueFactory.SPOOL).orElse(null);
        return spool == null ? 0 : spool.getSize();
    }
}
