package io.github.jamescbv.bench;

import io.github.jamescbv.testing.peers.PostfixLog;
import io.github.jamescbv.testing.peers.PostfixPeer;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the remote Postfix saw, from its log: connections ("connect from" lines, one per smtpd
 * session) and the RCPT TO commands of those sessions (from "disconnect from ... rcpt=N/M").
 * A pass's share is the difference between a tally after it and one before.
 */
final class RemoteTally {
    /** {@code rcpt=1} or, when some were refused, {@code rcpt=0/1}: the last number is how many were sent. */
    private static final Pattern RCPT = Pattern.compile(" rcpt=(\\d+)(?:/(\\d+))?");
    /** Quiet this long, every session over: the log has everything (postlogd writes asynchronously). */
    private static final Duration QUIET = Duration.ofMillis(2500);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);

    final int connections;
    final int rcpts;
    final int open;
    final int problems;

    private RemoteTally(int connections, int rcpts, int open, int problems) {
        this.connections = connections;
        this.rcpts = rcpts;
        this.open = open;
        this.problems = problems;
    }

    static RemoteTally of(PostfixLog log) {
        List<PostfixLog.SmtpdSession> sessions = log.sessions();
        int rcpts = 0;
        int open = 0;
        int problems = 0;
        for (PostfixLog.SmtpdSession s : sessions) {
            if (s.disconnect().isEmpty()) {
                open++;
                continue;
            }
            Matcher m = RCPT.matcher(s.disconnect().get());
            if (m.find()) {
                rcpts += Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(1));
            }
            if (!s.problems().isEmpty()) {
                problems++;
            }
        }
        return new RemoteTally(sessions.size(), rcpts, open, problems);
    }

    /**
     * The tally once the remote is quiet: no new line for {@link #QUIET} and no session open.
     * Postfix keeps an idle cached connection for smtp_connection_cache_time_limit (2 s) before
     * it closes it; ours keep an idle connection for the handler's {@code <reuse><idleTime>} (2 s)
     * and then say QUIT, or close at once after QUIT with reuse off.
     */
    static RemoteTally settled(PostfixPeer remote) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        int lines = -1;
        long quietSince = System.nanoTime();
        while (true) {
            PostfixLog log = remote.log();
            if (log.lines().size() != lines) {
                lines = log.lines().size();
                quietSince = System.nanoTime();
            }
            RemoteTally tally = of(log);
            boolean quiet = System.nanoTime() - quietSince >= QUIET.toNanos();
            if ((quiet && tally.open == 0) || System.nanoTime() > deadline) {
                return tally;
            }
            Thread.sleep(200);
        }
    }

    RemoteTally minus(RemoteTally before) {
        return new RemoteTally(connections - before.connections, rcpts - before.rcpts, open, problems - before.problems);
    }
}
