package io.github.jamescbv.smtp;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.Durations;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A probe connection as the {@link ConnectionPool} sees it: who it is charged to, how many probes
 * it served and how they went, and, between probes, its holder: after a probe's verdict it says
 * RSET (the remote must answer it, promptly, for the connection to be kept), then waits idle for
 * the next probe to its route, and says QUIT when its idle time is over or the pool sends it away.
 *
 * <p><b>Why RSET when parking</b>, not when taken (Postfix, too, says RSET when it hands a
 * connection back to its cache): the round trip is spent after the verdict, not before the next
 * one; what the remote answers decides before any probe depends on it whether the connection is
 * worth keeping; and the RSET is a canary: a remote that slows a session down after errors
 * (Postfix's {@code smtpd_soft_error_limit}, Exchange's tarpit) delays every reply from then on,
 * the RSET's first, so a connection whose RSET comes late ({@link #slowBound}) is let go before
 * any verdict waits for it. The next probe starts at MAIL FROM.
 *
 * <p>The state and the claimant are the pool's, under its lock; everything else runs on the
 * connection's I/O thread.
 */
final class KeptConnection implements SmtpConnection.Owner {
    /** A reply to RSET later than this many times the connection's fastest reply (plus the margin) is a slowdown. */
    static final int SLOW_FACTOR = 4;
    /**
     * Added to the bound: a remote's scheduling and a busy network must not pass for a tarpit.
     * Postfix's {@code smtpd_error_sleep_time} is 1 s by default, Exchange's tarpit 5 s.
     */
    static final Duration SLOW_MARGIN = Duration.ofMillis(500);
    /**
     * The least a probe waits for a claimed connection's RSET: a busy remote, or a busy us, may take
     * a moment longer than the opening did, and this is still far short of any remote's slowdown
     * (a second or more).
     */
    static final Duration MIN_CLAIM_WAIT = Duration.ofMillis(100);

    /** Where the connection is, as the pool sees it. */
    enum State {
        /** Held by a probe. */
        BUSY,
        /** Its RSET in flight; may be claimed. */
        PARKING,
        /** Claimed by a probe while parking: handed over when the RSET is answered. */
        CLAIMED,
        /** Waiting for a probe. */
        IDLE,
        /** Sent away: saying QUIT, or closing. */
        LEAVING,
        CLOSED
    }

    private final SmtpConnection connection;
    private final ConnectionPool pool;
    private final long openedAt;
    // The pool's, under its lock.
    State state = State.BUSY;
    String domain;
    ProbeSession claimant;
    // On the I/O thread.
    private int probes;
    /** How long the connection took from its connect to its first probe: what a new one would cost. -1 until known. */
    private volatile long openingNanos = -1;
    /** The number of the first probe refused (4xx or 5xx to MAIL FROM or RCPT TO); 0 while none was. */
    private int firstRefused;
    private Transcript transcript;
    private Duration courtesyWait;
    private long rsetSentAt;
    private boolean rsetPending;
    private long rsetBound;
    private boolean tooSlow;
    /** The idle timeout, or the bound on the RSET's reply: at most one at a time. */
    private ScheduledFuture<?> timer;

    KeptConnection(SmtpConnection connection, ConnectionPool pool) {
        this.connection = connection;
        this.pool = pool;
        this.openedAt = pool.clock().nanoTime();
    }

    SmtpConnection connection() {
        return connection;
    }

    Route route() {
        return connection.route();
    }

    long age(long now) {
        return now - openedAt;
    }

    // ---- what the probes tell it, on the I/O thread

    /** A probe begins its transaction on this connection. @return its number on the connection, from 1 */
    int probeStarts() {
        if (probes == 0) {
            openingNanos = age(pool.clock().nanoTime());
        }
        return ++probes;
    }

    /**
     * How long a probe that claimed the connection while its RSET is in flight waits for it: no
     * longer than opening a new connection took this one (connect, greeting, EHLO, STARTTLS), after
     * which a new one is the quicker way, but at least {@link #MIN_CLAIM_WAIT}; the canary's margin
     * when the opening is not known. Any thread.
     */
    long claimWaitNanos() {
        long opening = openingNanos;
        return Math.max(MIN_CLAIM_WAIT.toNanos(), opening > 0 ? opening : SLOW_MARGIN.toNanos());
    }

    /** The claim of {@code session} timed out: if the RSET is still unanswered, the probe opens a new connection. On the I/O thread. */
    void claimTimedOut(ProbeSession session) {
        if (pool.unclaim(this, session)) {
            session.freshConnection("RSET not answered within " + millis(claimWaitNanos())
                + ", the time a new connection takes");
        }
    }

    /** The current probe's MAIL FROM or RCPT TO was refused: the remote counts it against us. */
    void refused() {
        if (firstRefused == 0) {
            firstRefused = probes;
        }
    }

    /** How the connection stands, for the transcript of a probe that takes it. */
    String describe() {
        return "probe " + probes + " on this connection, open " + Durations.format(
            Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(age(pool.clock().nanoTime()))));
    }

    /** Why the connection may not serve another probe under {@code reuse}, or null when it may. */
    String whyNotKept(ReuseSettings reuse) {
        if (probes >= reuse.maxProbes()) {
            return "served " + probes + " probes (maxProbes " + reuse.maxProbes() + ")";
        }
        if (age(pool.clock().nanoTime()) >= reuse.maxLifetime().toNanos()) {
            return "open longer than maxLifetime " + Durations.format(reuse.maxLifetime());
        }
        if (firstRefused > 0 && probes - firstRefused >= reuse.afterRejected()) {
            return "probe " + firstRefused + " was refused, and " + (probes - firstRefused)
                + " more served since (afterRejected " + reuse.afterRejected() + ")";
        }
        return null;
    }

    /**
     * After a probe's verdict: RSET, and on a prompt 2xx the connection waits for the next probe.
     * The waits are courtesy, as for QUIT: no longer bound by the probe's deadline, which is over.
     *
     * @param probeTranscript the transcript of the probe that had it, which tells the RSET and its fate
     * @param commandTimeout  that probe's bound on a reply
     */
    void park(Transcript probeTranscript, Duration commandTimeout) {
        transcript = probeTranscript;
        courtesyWait = commandTimeout.compareTo(DialogTimer.QUIT_WAIT) < 0 ? commandTimeout : DialogTimer.QUIT_WAIT;
        connection.attach(this, courtesyLimits(), transcript);
        if (!pool.parking(this)) {
            transcript.line("not kept: the probe client is closing");
            connection.quit();
            return;
        }
        rsetBound = slowBound();
        rsetSentAt = pool.clock().nanoTime();
        rsetPending = true;
        timer = connection.executor().schedule(this::rsetTooSlow, rsetBound, TimeUnit.NANOSECONDS);
        connection.send("RSET", null, this::rsetAnswered);
    }

    private ProbeLimits courtesyLimits() {
        return new ProbeLimits(courtesyWait, courtesyWait, pool.clock().nanoTime() + courtesyWait.toNanos(), pool.clock());
    }

    /** How long the RSET may take before the connection counts as slowed down: relative to its fastest reply, at most the courtesy wait. */
    private long slowBound() {
        long fastest = connection.fastestReplyNanos();
        long bound = fastest == Long.MAX_VALUE ? Long.MAX_VALUE
            : Math.min(Long.MAX_VALUE / 2, fastest) * SLOW_FACTOR + SLOW_MARGIN.toNanos();
        return Math.min(bound, courtesyWait.toNanos());
    }

    private void rsetTooSlow() {
        timer = null;
        tooSlow = true;
        pool.drop(this, "the remote did not answer RSET within " + millis(rsetBound));
    }

    private void rsetAnswered(SmtpReply reply) {
        rsetPending = false;
        cancelTimer();
        long took = pool.clock().nanoTime() - rsetSentAt;
        if (!reply.isPositive()) {
            notKept("RSET answered " + reply);
            if (reply.code() == 421) {
                connection.close();
            } else {
                connection.quit();
            }
        } else if (tooSlow || took > rsetBound) {
            notKept("RSET answered after " + millis(took) + ": the remote slows down");
            connection.quit();
        } else {
            pool.parked(this); // to a claimant, idle, or leave()
        }
    }

    private void notKept(String why) {
        transcript.line("not kept: " + why);
        pool.drop(this, why);
    }

    /** Waits for the next probe, for the idle time or what is left of the lifetime, whichever is shorter. On the I/O thread. */
    void waitIdle() {
        ReuseSettings reuse = pool.settings();
        long lifeLeft = reuse.maxLifetime().toNanos() - age(pool.clock().nanoTime());
        long wait = Math.min(reuse.idleTime().toNanos(), lifeLeft);
        transcript.line("kept for the next probe, at most " + millis(Math.max(0, wait)) + " idle");
        // From now on the dialog is nobody's: the debug log alone tells it.
        transcript = new Transcript(connection.route(), DialogListener.NONE);
        connection.attach(this, courtesyLimits(), transcript);
        connection.idle();
        timer = connection.executor().schedule(this::idleOver, Math.max(0, wait), TimeUnit.NANOSECONDS);
    }

    private void idleOver() {
        timer = null;
        if (pool.expire(this)) {
            transcript.line("idle time over");
            quit();
        }
    }

    /** Sent away by the pool: QUIT now if idle; a connection still parking says it when its RSET is answered. On the I/O thread. */
    void leave() {
        if (!rsetPending && connection.isOpen()) {
            cancelTimer();
            quit();
        }
    }

    private void quit() {
        connection.attach(this, courtesyLimits(), transcript);
        connection.quit();
    }

    /** Taken by a probe: the idle timeout of the wait that just ended must not end the next one. On the I/O thread. */
    void taken() {
        cancelTimer();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private static String millis(long nanos) {
        return Durations.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    // ---- as the connection's owner while parking and idle

    @Override
    public boolean wanted() {
        return true;
    }

    @Override
    public void ready(Capabilities capabilities) {
        // never: it only holds connections that are past their opening
    }

    @Override
    public void openingRefused(SmtpReply reply) {
        // never, as above
    }

    @Override
    public void failed(ProbeOutcome failure) {
        rsetPending = false;
        cancelTimer(); // the connection closes itself
        pool.drop(this, failure.detail());
    }

    @Override
    public void tlsFailed(ProbeOutcome failure) {
        // never, as above
    }

    @Override
    public void closed() {
        cancelTimer(); // the pool hears of it from the channel's close
    }
}
