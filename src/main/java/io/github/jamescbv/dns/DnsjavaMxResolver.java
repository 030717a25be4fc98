package io.github.jamescbv.dns;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.HostPort;
import io.github.jamescbv.core.SafeText;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;

/**
 * {@link MxResolver} on dnsjava 3.5 directly (not James's {@code DNSService}, which blocks a
 * thread per lookup).
 *
 * <p><b>Threads.</b> Lookups use dnsjava's asynchronous API: {@link LookupSession#lookupAsync}
 * (which follows CNAME chains and tells NXDOMAIN from NODATA) over our own dnsjava
 * {@code Resolver}, whose messages travel on Netty ({@link DnsTransport} says why not on
 * dnsjava's own NIO client). Everything (socket I/O, timers, gluing results together) runs on
 * this resolver's {@value #THREADS} event loop threads, daemons named "cbv-dns-N", so 1,000
 * resolutions in flight cost no extra thread.
 *
 * <p><b>Which thread completes the stages.</b> With the two-argument constructor, a
 * "cbv-dns-N" event loop: dependent stages then run on it, so they must be quick and must not
 * block (blocking there stalls DNS I/O); anything slow belongs in an {@code *Async} stage on
 * the caller's own executor. With the three-argument constructor, the caller's executor
 * (e.g. the engine's own), so no caller code ever runs on the event loops. Either way, a
 * stage that {@link #close()} completes is completed on the closing thread, and a caller that
 * blocks on a stage (James's synchronous hooks) blocks its own thread, never ours.
 *
 * <p><b>Time.</b> Each lookup (one name and type, its CNAME chain included) has
 * {@code timeout}; with several servers, a server that does not answer gets its share of
 * that and the next is asked (see {@link FailoverResolver}). A resolution is at most two
 * rounds of lookups (MX, then the hosts' A and AAAA in parallel), and an overall guard of
 * twice the timeout plus a second completes the stage as TEMPFAIL if anything was left
 * pending. The stages never complete exceptionally.
 *
 * <p><b>No cache.</b> Every call asks DNS again; the {@link LookupSession} is built without a
 * cache, so a zone changed between calls is seen at once. Nor is a hosts file consulted.
 *
 * <p><b>CNAME loops</b> end as TEMPFAIL ("CNAME chain too long or looping", after at most
 * {@value #MAX_REDIRECTS} redirects): recursive servers answer a loop with SERVFAIL, and a
 * looping zone is usually being edited, so it is not taken as proof that mail cannot be delivered.
 */
public final class DnsjavaMxResolver implements MxResolver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsjavaMxResolver.class);

    /** Event loops: they only move small datagrams, run timers and glue objects together, never wait. */
    static final int THREADS = 2;
    /** CNAME/DNAME redirects followed per lookup; real chains have one or two. */
    static final int MAX_REDIRECTS = 8;
    private static final int DNS_PORT = 53;

    private final EventLoopGroup threads;
    private final Lookups lookups;
    private final Duration timeout;
    private final Duration guard;
    private final String serversText;
    private final Executor completions;
    private final Set<CompletableFuture<MxResolution>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param servers DNS servers to ask, in order, each "host" or "host:port" (IPv6 in
     *                brackets, as {@link HostPort#parse}); port 53 when none. Host names are
     *                resolved once, here, by the system. Empty: the system's resolvers, as
     *                dnsjava's {@link ResolverConfig} finds them (resolv.conf, ...).
     * @param timeout how long one lookup may take, all servers together
     * @throws IllegalArgumentException for a bad server or a timeout that is not positive
     */
    public DnsjavaMxResolver(List<String> servers, Duration timeout) {
        this(servers, timeout, null);
    }

    /**
     * As {@link #DnsjavaMxResolver(List, Duration)}, but the stages handed out complete on
     * {@code completions} (when it refuses a task, on the event loop after all).
     */
    public DnsjavaMxResolver(List<String> servers, Duration timeout, Executor completions) {
        this.completions = completions;
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("bad DNS timeout '" + timeout + "' (must be more than zero)");
        }
        List<InetSocketAddress> addresses = servers.isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : servers.stream().map(DnsjavaMxResolver::socketAddress).collect(Collectors.toList());
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no DNS server configured and none found on the system");
        }
        this.timeout = timeout;
        this.guard = timeout.multipliedBy(2).plusSeconds(1);
        this.serversText = addresses.toString();
        this.threads = DnsThreads.newGroup(THREADS);
        LookupSession session = LookupSession.builder()
            .resolver(new FailoverResolver(addresses, timeout, new DnsTransport(threads), threads))
            .executor(threads)
            .maxRedirects(MAX_REDIRECTS)
            .clearCaches()
            .build();
        this.lookups = new Lookups(session, threads, timeout);
    }

    private static InetSocketAddress socketAddress(String server) {
        HostPort hp = HostPort.parse(server);
        InetSocketAddress address = new InetSocketAddress(hp.host(), hp.port() == 0 ? DNS_PORT : hp.port());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unknown DNS server '" + SafeText.clean(server, 80) + "'");
        }
        return address;
    }

    @Override
    public CompletionStage<MxResolution> resolveMx(String domain) {
        return run("MX resolution of " + domain, () -> mx(domain));
    }

    @Override
    public CompletionStage<MxResolution> resolveHost(String host) {
        return run("address resolution of " + host, () -> host(host));
    }

    /**
     * Stops the threads and closes their sockets, without waiting for them to end. Resolutions
     * in flight complete at once as TEMPFAIL, on the calling thread; later calls do too.
     */
    @Override
    public void close() {
        closed = true;
        threads.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        for (CompletableFuture<MxResolution> f : List.copyOf(inFlight)) {
            f.complete(closedResult());
        }
    }

    @Override
    public String toString() {
        return "DnsjavaMxResolver " + serversText + " timeout " + Durations.format(timeout);
    }

    // ---- one resolution, guarded ----

    /**
     * Runs {@code work} on the pool and makes sure its stage completes, with a result, whatever happens.
     * The work starts on the pool, not on the caller's thread: even opening a UDP socket is
     * not the caller's business.
     */
    private CompletionStage<MxResolution> run(String what, Supplier<CompletableFuture<MxResolution>> work) {
        CompletableFuture<MxResolution> out = new CompletableFuture<>();
        if (closed) {
            out.complete(closedResult());
            return out.minimalCompletionStage();
        }
        inFlight.add(out);
        out.whenComplete((r, t) -> {
            inFlight.remove(out);
            if (r != null && LOG.isDebugEnabled()) {
                LOG.debug("{}: {}", SafeText.clean(what, 300), r);
            }
        });
        try {
            ScheduledFuture<?> overall = threads.schedule(
                () -> deliver(out, internal(DnsFailure.TIMEOUT, what + " did not finish within " + Durations.format(guard))),
                guard.toNanos(), TimeUnit.NANOSECONDS);
            out.whenComplete((r, t) -> overall.cancel(false));
            threads.execute(() -> {
                try {
                    work.get().whenComplete((r, t) -> deliver(out, r != null ? r : internal(DnsFailure.OTHER, what + ": " + t)));
                } catch (RuntimeException | Error e) {
                    deliver(out, internal(DnsFailure.OTHER, what + ": " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            out.complete(closedResult()); // close() raced with this call
        }
        return out.minimalCompletionStage();
    }

    /** Completes {@code out} on the caller's executor if one was given, else here. */
    private void deliver(CompletableFuture<MxResolution> out, MxResolution result) {
        if (completions == null || out.isDone()) {
            out.complete(result);
            return;
        }
        try {
            completions.execute(() -> out.complete(result));
        } catch (RuntimeException e) {
            out.complete(result); // the caller's executor refused: better here than never
        }
    }

    private static MxResolution internal(DnsFailure cause, String why) {
        return MxResolution.tempfail(cause, reason("internal: " + why), List.of());
    }

    private static MxResolution closedResult() {
        return internal(DnsFailure.OTHER, "the DNS resolver is closed");
    }

    // ---- resolveMx ----

    private CompletableFuture<MxResolution> mx(String domain) {
        String d = normalise(domain);
        Optional<Name> name = absoluteName(d);
        if (name.isEmpty()) {
            return done(invalidName(domain));
        }
        return lookups.lookup(name.get(), Type.MX).thenCompose(o -> afterMx(d, name.get(), o));
    }

    private CompletableFuture<MxResolution> afterMx(String domain, Name name, LookupOutcome mx) {
        List<String> answers = new ArrayList<>(AnswerText.lines(mx));
        switch (mx.kind()) {
            case NXDOMAIN:
                return done(MxResolution.failure(MxResolution.Status.NXDOMAIN, reason("NXDOMAIN for " + domain), answers));
            case FAILED:
                return done(MxResolution.tempfail(mx.cause(), reason(mx.what() + " failed: " + mx.failure()), answers));
            case NODATA:
                return implicitMx(domain, name, answers);
            default:
                return explicitMx(domain, mx.records(), answers);
        }
    }

    /** RFC 5321 section 5.1: no MX at all, so the domain's own address is its mail host. */
    private CompletableFuture<MxResolution> implicitMx(String domain, Name name, List<String> answers) {
        return HostAddresses.resolve(lookups, name).thenApply(h -> {
            answers.addAll(AnswerText.lines(h.a()));
            answers.addAll(AnswerText.lines(h.aaaa()));
            List<InetAddress> addresses = h.addresses();
            if (!addresses.isEmpty()) {
                return new MxResolution(MxResolution.Status.FOUND, List.of(new MxHost(domain, 0, addresses)), true, "", answers);
            }
            if (h.failed()) {
                return MxResolution.tempfail(h.failureCause(), reason(domain + " has no MX, and " + h.failureText()), answers);
            }
            if (h.nonexistent()) {
                // the zone changed between the MX and the address lookups
                return MxResolution.failure(MxResolution.Status.NXDOMAIN, reason("NXDOMAIN for " + domain), answers);
            }
            return MxResolution.failure(MxResolution.Status.NO_MAIL_HOST,
                reason(domain + " has no MX and no A or AAAA record"), answers);
        });
    }

    private CompletableFuture<MxResolution> explicitMx(String domain, List<Record> records, List<String> answers) {
        MxPlan plan = MxPlan.of(records, ThreadLocalRandom.current());
        answers.addAll(plan.notes(domain));
        if (plan.nullMx()) {
            return done(MxResolution.failure(MxResolution.Status.NULL_MX,
                "null MX (RFC 7505): domain accepts no mail", answers));
        }
        List<MXRecord> targets = plan.hosts();
        List<CompletableFuture<HostAddresses>> pending = targets.stream()
            .map(mx -> HostAddresses.resolve(lookups, mx.getTarget()))
            .collect(Collectors.toList());
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<MxHost> hosts = new ArrayList<>();
            boolean anyAddress = false;
            HostAddresses firstFailure = null;
            for (int i = 0; i < targets.size(); i++) {
                HostAddresses h = pending.get(i).join();
                answers.addAll(AnswerText.lines(h.a()));
                answers.addAll(AnswerText.lines(h.aaaa()));
                List<InetAddress> addresses = h.addresses();
                anyAddress |= !addresses.isEmpty();
                if (firstFailure == null && h.failed()) {
                    firstFailure = h;
                }
                // Hosts without an address stay in the list: the verifier skips them, the CLI shows them.
                hosts.add(new MxHost(hostName(targets.get(i).getTarget()), targets.get(i).getPriority(), addresses));
            }
            if (anyAddress) {
                return new MxResolution(MxResolution.Status.FOUND, hosts, false, "", answers);
            }
            if (firstFailure != null) {
                return MxResolution.tempfail(firstFailure.failureCause(),
                    reason("no MX host of " + domain + " has an address; " + firstFailure.failureText()), answers);
            }
            return MxResolution.failure(MxResolution.Status.NO_MAIL_HOST,
                reason("no MX host of " + domain + " has an address"), answers);
        });
    }

    // ---- resolveHost ----

    private CompletableFuture<MxResolution> host(String host) {
        Optional<InetAddress> literal = IpLiteral.parse(host);
        if (literal.isPresent()) {
            String bare = IpLiteral.bare(host);
            return done(new MxResolution(MxResolution.Status.FOUND, List.of(new MxHost(bare, 0, List.of(literal.get()))),
                false, "", List.of(AnswerText.line(bare + ": IP address literal, no DNS query"))));
        }
        String h = normalise(host);
        Optional<Name> name = absoluteName(h);
        if (name.isEmpty()) {
            return done(invalidName(host));
        }
        return HostAddresses.resolve(lookups, name.get()).thenApply(ha -> {
            List<String> answers = new ArrayList<>(AnswerText.lines(ha.a()));
            answers.addAll(AnswerText.lines(ha.aaaa()));
            List<InetAddress> addresses = ha.addresses();
            if (!addresses.isEmpty()) {
                return new MxResolution(MxResolution.Status.FOUND, List.of(new MxHost(h, 0, addresses)), false, "", answers);
            }
            if (ha.failed()) {
                return MxResolution.tempfail(ha.failureCause(), reason(ha.failureText()), answers);
            }
            if (ha.nonexistent()) {
                return MxResolution.failure(MxResolution.Status.NXDOMAIN, reason("NXDOMAIN for " + h), answers);
            }
            return MxResolution.failure(MxResolution.Status.NO_MAIL_HOST, reason(h + " has no A or AAAA record"), answers);
        });
    }

    // ---- names ----

    /** Lower case, without the trailing dot. */
    private static String normalise(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** The absolute DNS name (so no search list ever applies), or empty when it cannot be one. */
    private static Optional<Name> absoluteName(String normalised) {
        if (normalised.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Name.fromString(normalised + "."));
        } catch (TextParseException e) {
            return Optional.empty();
        }
    }

    /** A name DNS cannot hold (empty, label over 63 octets, ...) cannot exist: NXDOMAIN, without a query. */
    private static MxResolution invalidName(String name) {
        return MxResolution.failure(MxResolution.Status.NXDOMAIN,
            reason("not a valid DNS name: '" + name + "'"), List.of());
    }

    /** As {@link MxHost#name()} wants it: lower case, no trailing dot (odd octets stay \DDD-escaped). */
    private static String hostName(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT);
    }

    private static String reason(String text) {
        return SafeText.clean(text, AnswerText.MAX_LINE);
    }

    private static CompletableFuture<MxResolution> done(MxResolution r) {
        return CompletableFuture.completedFuture(r);
    }
}
