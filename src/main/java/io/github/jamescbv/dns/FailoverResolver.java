package io.github.jamescbv.dns;

import io.netty.channel.ConnectTimeoutException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} that asks a list of servers in turn within one time budget, so
 * that dnsjava's {@code LookupSession} (CNAME chains, rcode handling) runs on our transport.
 *
 * <p>Why not dnsjava's {@code ExtendedResolver}: it moves to the next server only when the
 * current one's own timeout has expired, and does not split a budget among servers. Here each
 * server gets an equal share of what is left of the budget (one server: all of it; a dead
 * first of two: half); a sole server is asked twice, the second time (from a new port) at
 * half the budget, so that one lost datagram does not fail the lookup. A server that fails outright (ICMP port unreachable, SERVFAIL,
 * REFUSED, NOTIMP) hands over at once, as the system's stub resolver does. A server that was
 * given up on is still listened to until the budget ends: whichever usable answer comes
 * first wins.
 *
 * <p>When every server has failed, the last answer (e.g. a SERVFAIL message) is the result,
 * else the last network error, else a {@link SocketTimeoutException}. When every attempt ended
 * in a {@link SocketException} (the network said no one is there: ICMP port or host unreachable,
 * connection refused, no route), the error is a {@link ResolverUnreachableException}: no
 * resolver can be reached, which is our trouble and says nothing about the name asked. One
 * server silent and another unreachable is a timeout: silence may be the name's doing. The
 * returned stage always completes, at the latest when the budget is spent.
 *
 * <p>Only the budget can be changed ({@link #setTimeout}); the other knobs of the
 * {@link Resolver} interface are fixed (UDP with EDNS0, TCP after truncation, no TSIG).
 */
final class FailoverResolver implements Resolver {
    private final List<InetSocketAddress> servers;
    private final DnsTransport transport;
    private final ScheduledExecutorService timer;
    private volatile Duration budget;

    /**
     * @param servers   non-empty, in the order to ask them
     * @param budget    how long one query may take, all servers together
     * @param transport sends the queries
     * @param timer     runs the hand-over and budget deadlines
     */
    FailoverResolver(List<InetSocketAddress> servers, Duration budget, DnsTransport transport, ScheduledExecutorService timer) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server");
        }
        // One server: two attempts, as a stub resolver retries over UDP.
        this.servers = servers.size() == 1 ? List.of(servers.get(0), servers.get(0)) : List.copyOf(servers);
        this.transport = transport;
        this.timer = timer;
        this.budget = budget;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return new Exchange(query, budget).start();
    }

    /** The executor is not needed: the transport completes on the event loops already. */
    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return sendAsync(query);
    }

    @Override
    public void setTimeout(Duration timeout) {
        this.budget = timeout;
    }

    @Override
    public Duration getTimeout() {
        return budget;
    }

    @Override
    public void setPort(int port) {
        throw fixed();
    }

    @Override
    public void setTCP(boolean flag) {
        throw fixed();
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
        throw fixed();
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        throw fixed();
    }

    @Override
    public void setTSIGKey(TSIG key) {
        throw fixed();
    }

    private static UnsupportedOperationException fixed() {
        return new UnsupportedOperationException("fixed by DnsjavaMxResolver");
    }

    @Override
    public String toString() {
        return servers.stream().distinct().collect(Collectors.toList()).toString();
    }

    /** Answers that mean "this server cannot help, ask another", not "the name has no data". */
    private static boolean askAnother(Message answer) {
        int rcode = answer.getRcode();
        return rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED || rcode == Rcode.NOTIMP;
    }

    /**
     * One query's way through the servers. Fields are guarded by {@code this}. Decisions are
     * taken under the lock, but sending and completing happen outside it: the result's
     * dependents (dnsjava, the resolver, callers) must never run while this lock is held.
     */
    private final class Exchange {
        private final Message query;
        private final Duration budget;
        private final long deadline;
        private final CompletableFuture<Message> result = new CompletableFuture<>();
        private int next;
        private int outstanding;
        private Message lastAnswer;
        private Throwable lastError;
        /** True while every attempt that ended did so with a SocketException. */
        private boolean onlyUnreachable = true;
        private ScheduledFuture<?> handOver;

        Exchange(Message query, Duration budget) {
            this.query = query;
            this.budget = budget;
            this.deadline = System.nanoTime() + budget.toNanos();
        }

        CompletableFuture<Message> start() {
            try {
                ScheduledFuture<?> end = timer.schedule(this::budgetSpent, budget.toNanos(), TimeUnit.NANOSECONDS);
                result.whenComplete((m, t) -> {
                    end.cancel(false);
                    cancelHandOver();
                });
                shareSpent();
            } catch (RuntimeException e) {
                result.completeExceptionally(e); // the timer refused: the resolver is closed
            }
            return result;
        }

        /** Asks the next server (the first one, at the start). */
        private void shareSpent() {
            Send send;
            synchronized (this) {
                send = nextSendLocked();
            }
            send(send);
        }

        private void replied(Message answer, Throwable error) {
            Send send = null;
            Runnable end = null;
            synchronized (this) {
                outstanding--;
                if (result.isDone()) {
                    return;
                }
                if (error == null && !askAnother(answer)) {
                    end = () -> result.complete(answer);
                } else {
                    if (error == null) {
                        lastAnswer = answer;
                    } else {
                        lastError = error;
                    }
                    onlyUnreachable &= unreachable(error);
                    if (next < servers.size()) {
                        send = nextSendLocked();
                    } else if (outstanding == 0) {
                        end = endLocked();
                    }
                }
            }
            send(send);
            if (end != null) {
                end.run();
            }
        }

        private void budgetSpent() {
            Runnable end;
            synchronized (this) {
                end = endLocked();
            }
            end.run();
        }

        /** Picks the next server and arms the hand-over timer; null when there is none. */
        private Send nextSendLocked() {
            if (result.isDone() || next >= servers.size()) {
                return null;
            }
            int index = next++;
            outstanding++;
            cancelHandOverLocked();
            long left = Math.max(0, deadline - System.nanoTime());
            int serversLeft = servers.size() - index;
            if (serversLeft > 1) {
                handOver = timer.schedule(this::shareSpent, left / serversLeft, TimeUnit.NANOSECONDS);
            }
            return new Send(servers.get(index), left);
        }

        private void send(Send send) {
            if (send != null) {
                transport.exchange(send.server, query, send.timeoutNanos).whenComplete(this::replied);
            }
        }

        /** The most telling failure: an answer beats an error, an error beats silence. */
        private Runnable endLocked() {
            if (lastAnswer != null) {
                Message answer = lastAnswer;
                return () -> result.complete(answer);
            }
            if (lastError != null && outstanding == 0) {
                Throwable error = onlyUnreachable ? new ResolverUnreachableException("no DNS server reachable ("
                    + FailoverResolver.this + "), last: " + describe(lastError), lastError) : lastError;
                return () -> result.completeExceptionally(error);
            }
            SocketTimeoutException timeout = new SocketTimeoutException("no answer from "
                + FailoverResolver.this + " within " + budget.toMillis() + "ms");
            return () -> result.completeExceptionally(timeout);
        }

        /**
         * The network's "no one there", as opposed to silence, a broken exchange or an answer. A TCP
         * connect that timed out is a SocketException too (Netty's ConnectTimeoutException), but silence.
         */
        private boolean unreachable(Throwable error) {
            return error instanceof SocketException && !(error instanceof ConnectTimeoutException);
        }

        private String describe(Throwable error) {
            return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        }

        private synchronized void cancelHandOver() {
            cancelHandOverLocked();
        }

        private void cancelHandOverLocked() {
            if (handOver != null) {
                handOver.cancel(false);
                handOver = null;
            }
        }
    }

    private static final class Send {
        final InetSocketAddress server;
        final long timeoutNanos;

        Send(InetSocketAddress server, long timeoutNanos) {
            this.server = server;
            this.timeoutNanos = timeoutNanos;
        }
    }
}
