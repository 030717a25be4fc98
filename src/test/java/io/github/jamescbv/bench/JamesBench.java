package io.github.jamescbv.bench;

import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.ScriptedSmtpServer.Connection;
import io.github.jamescbv.testing.SmtpScript;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What connections held on a tarpit cost everyone else (issue 3), and what the hook costs when
 * every sender is in the verdict cache (issue 4), in a real James 3.8.1.
 *
 * <p>One James, two SMTP servers identical but for the {@code CallbackVerifyHandler}
 * ({@code bench/smtpserver.xml}): "on" has it, "off" does not. Two scripted remotes: a fast
 * MX that answers every callback at once, and a tarpit that accepts the connection and says
 * nothing. Each run measures one mode:
 *
 * <ul>
 *   <li>{@link Mode#OFF}: 50 connections to the "off" server send a whole message except its
 *       final "." and stay there, mid-DATA: the same bytes as the held ones, minus the one
 *       that would get them their 250 at once.</li>
 *   <li>{@link Mode#ON_HELD}: 50 connections to the "on" server send a whole message from
 *       {@code @tarpit.bench}; their callbacks hang on the tarpit, so the reply to their "."
 *       is held for the whole run (maxWait 60 s).</li>
 *   <li>{@link Mode#ON}: the "on" server with no other connections, so that what the callbacks
 *       themselves cost can be told apart from what the held connections cost.</li>
 *   <li>{@link Mode#ON_CACHED}: the "on" server with every sender already in the verdict cache
 *       (a pool of {@value #POOL_SIZE} {@code @fast.bench} senders, each verified once before the
 *       rounds), and the same 50 connections mid-DATA as {@link Mode#OFF}, their senders from the
 *       pool too: compared with {@link Mode#OFF}, only the hook differs.</li>
 * </ul>
 *
 * <p>Then {@code clients} threads run whole transactions back to back for the run's duration
 * (connect, 220, EHLO, MAIL FROM, RCPT, DATA, a small message, QUIT), recording the greeting
 * latency (connect start to the 220) and counting transactions. The sender is a new
 * {@code @fast.bench} address each time, so that every transaction with the hook on makes a real
 * callback (a cache miss), except in {@link Mode#ON_CACHED}, where the clients go round the pool.
 *
 * <p>After a warm-up of both servers, each round runs the four modes one after the other, in a
 * rotated order. On two shared cores the throughput of one mode drifts by 10-20% from minute to
 * minute; many short rounds, and costs computed within each round (from runs seconds apart),
 * keep that drift out of the comparison.
 *
 * <p>Arguments: {@code [seconds per run [rounds [client threads]]]}, default {@code 5 6 4}.
 * Exit status 1 when a sanity check fails (a transaction not answered 250, a held connection
 * that got a reply, callbacks that did not happen or happened with the hook off or with a warm
 * cache, a transaction the hook did not verify).
 */
public final class JamesBench {
    static final String LOCAL_DOMAIN = "bench.local";
    static final String RECIPIENT = "rcpt@" + LOCAL_DOMAIN;
    static final int WAITING = 50;
    /** Senders of the warm-cache mode, each verified once before the rounds. */
    static final int POOL_SIZE = 1_000;
    /** Per server; the hook's code paths (the engine's Netty client, the handler) need their JIT warm-up too. */
    static final int WARM_UP_SECONDS = 8;
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);
    /** Thread name prefixes: the benchmark's clients, the scripted remotes (one thread per connection), the engine. */
    static final String OWN_THREAD_PREFIX = "loadgen-";
    static final String REMOTE_THREAD_PREFIX = "scripted-smtp-";
    static final String ENGINE_THREAD_PREFIX = "cbv-";

    enum Mode {
        OFF("off", "off", "off.bench", "50 connections mid-DATA, final \".\" not sent"),
        ON_HELD("held", "on + 50 held", "on.bench", "50 connections sent \".\", reply held (callback on the tarpit)"),
        ON("on", "on, none held", "on.bench", "none"),
        ON_CACHED("cached", "on, warm cache", "on.bench",
            "50 connections mid-DATA, final \".\" not sent, as with off (senders from the pool: cache hits)");

        /** For {@code cbv.bench.modes}. */
        final String shortName;
        final String label;
        final String server;
        final String others;

        Mode(String shortName, String label, String server, String others) {
            this.shortName = shortName;
            this.label = label;
            this.server = server;
            this.others = others;
        }

        boolean hookOn() {
            return this != OFF;
        }

        /** Every transaction makes a callback to the fast MX (a new sender each time). */
        boolean callsBack() {
            return this == ON_HELD || this == ON;
        }

        /** The 50 other connections stop before the final "." of DATA. */
        boolean waitsMidData() {
            return this == OFF || this == ON_CACHED;
        }
    }

    private final ScriptedSmtpServer fastMx;
    private final ScriptedSmtpServer tarpit;
    private final BenchJames james;
    private final int clients;
    private final AtomicLong senders = new AtomicLong();
    private final AtomicLong poolCursor = new AtomicLong();
    private final List<String> failures = new ArrayList<>();
    /** The handler's shared store, when the benchmark runs with one. */
    private RedisPeer redis;

    private JamesBench(ScriptedSmtpServer fastMx, ScriptedSmtpServer tarpit, BenchJames james, int clients) {
        this.fastMx = fastMx;
        this.tarpit = tarpit;
        this.james = james;
        this.clients = clients;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;

        int threadsBeforeJames = jamesThreads().size();
        ScriptedSmtpServer fastMx = ScriptedSmtpServer.start(SmtpScript.standard());
        ScriptedSmtpServer tarpit = ScriptedSmtpServer.start(tarpitScript(new CountDownLatch(1)));
        System.setProperty("cbv.bench.fast", Integer.toString(fastMx.port()));
        System.setProperty("cbv.bench.tarpit", Integer.toString(tarpit.port()));
        RedisPeer redis = startRedisIfAsked();
        long bootStart = System.nanoTime();
        BenchJames james = BenchJames.start();
        int status;
        try {
            System.out.printf(Locale.ROOT, "James 3.8.1 up in %.1f s; %d client threads, %d s per run, %d rounds, %d cores,"
                    + " Java %s, load average %.2f%n", (System.nanoTime() - bootStart) / 1e9, clients, seconds, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
            james.addDomainAndUser(LOCAL_DOMAIN, RECIPIENT, "secret");
            System.out.println("store: " + (redis == null ? "memory" : "redis " + redis.uri() + ", near-cache entries "
                + System.getProperty("cbv.bench.nearCache", "1000 (default)")));
            JamesBench bench = new JamesBench(fastMx, tarpit, james, clients);
            bench.redis = redis;
            status = bench.run(seconds, rounds, threadsBeforeJames);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        } finally {
            james.close();
            fastMx.close();
            tarpit.close();
            if (redis != null) {
                redis.close();
            }
        }
        // James leaves non-daemon threads behind after stop().
        System.exit(status);
    }

    /**
     * A redis-server of the benchmark's own when {@code cbv.bench.store} is {@code redis}: the
     * handler's memory goes there ({@link BenchJames#withStore}), and each run counts the
     * commands Redis processed.
     */
    private static RedisPeer startRedisIfAsked() {
        String store = System.getProperty("cbv.bench.store", "memory");
        if ("memory".equals(store)) {
            return null;
        }
        if (!"redis".equals(store)) {
            throw new IllegalArgumentException("cbv.bench.store: unknown store '" + store + "' (memory, redis)");
        }
        RedisPeer peer = RedisPeer.builder("bench-redis").start();
        System.setProperty("cbv.bench.redis", peer.uri());
        return peer;
    }

    /** Commands Redis has processed since it started (each reading costs one more), or 0 without Redis. */
    private long redisCommands() {
        if (redis == null) {
            return 0;
        }
        return Long.parseLong(redis.info("total_commands_processed"));
    }

    private int run(int seconds, int rounds, int threadsBeforeJames) throws Exception {
        int threadsIdle = jamesThreads().size();
        int warmUp = Math.min(WARM_UP_SECONDS, seconds * 2);
        for (Mode mode : List.of(Mode.ON, Mode.OFF)) {
            Load w = load(mode, warmUp);
            System.out.printf(Locale.ROOT, "warm-up %-14s %7.1f transactions/s (%d failed)%n", mode.label, w.tps(), w.failed);
            awaitSpoolEmpty();
        }
        verifyPool();
        fastMx.forgetConnections();
        Load w = load(Mode.ON_CACHED, warmUp);
        awaitSpoolEmpty();
        System.out.printf(Locale.ROOT, "warm-up %-14s %7.1f transactions/s (%d failed), %d callbacks to the fast MX%n",
            Mode.ON_CACHED.label, w.tps(), w.failed, fastMx.connectionCount());
        if (fastMx.connectionCount() != 0) {
            fail("warm-up " + Mode.ON_CACHED.label + ": " + fastMx.connectionCount()
                + " callbacks to the fast MX (expected none: every sender is in the cache)");
        }
        int threadsWarm = jamesThreads().size();

        Map<Mode, List<RunResult>> results = new EnumMap<>(Mode.class);
        List<Double> loads = new ArrayList<>();
        Mode[] modes = selectedModes();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < modes.length; i++) {
                // Rotated order: no mode always runs first, or always right after the same other mode.
                Mode mode = modes[(i + round) % modes.length];
                RunResult r = measure(mode, seconds, round + 1);
                results.computeIfAbsent(mode, m -> new ArrayList<>()).add(r);
                double load = loadAverage();
                loads.add(load);
                System.out.printf(Locale.ROOT, "%s  load average %.2f%n", r.line(), load);
            }
        }

        System.out.println();
        System.out.printf("JVM threads other than the benchmark's own (clients, scripted remotes): %d before James,"
            + " %d after boot, %d after warm-up%n", threadsBeforeJames, threadsIdle, threadsWarm);
        printSummary(results, seconds, rounds);
        // Other processes on the machine take CPU from every mode alike, but add noise: show the load, and JVM busy
        // (below 2 cores on a two-core machine: someone else had the rest).
        System.out.printf(Locale.ROOT, "load average at the end: %.2f; after each run: %.2f to %.2f, median %.2f%n",
            loadAverage(), loads.stream().mapToDouble(d -> d).min().orElse(0),
            loads.stream().mapToDouble(d -> d).max().orElse(0), median(loads.stream().mapToDouble(d -> d).toArray()));
        if (!failures.isEmpty()) {
            System.out.println();
            System.out.println("SANITY CHECKS FAILED:");
            failures.stream().limit(20).forEach(f -> System.out.println("  " + f));
            return 1;
        }
        System.out.println("sanity: every transaction got 250 to its \".\"; every waiting connection was still waiting at"
            + " the end of its run; one fast callback per transaction with the hook on, none with it off, none with a warm"
            + " cache (one per pool sender before the rounds); one pass verdict per transaction with the hook on");
        return 0;
    }

    /**
     * The modes to measure: all four, or those named (by their short names off, held, on, cached) in
     * the system property {@code cbv.bench.modes}, e.g. {@code off,cached} for issue 4's comparison
     * alone: half the run time, so more rounds in the same time.
     */
    private static Mode[] selectedModes() {
        String names = System.getProperty("cbv.bench.modes", "");
        if (names.isBlank()) {
            return Mode.values();
        }
        List<Mode> modes = new ArrayList<>();
        for (String name : names.split(",")) {
            modes.add(Arrays.stream(Mode.values()).filter(m -> m.shortName.equals(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cbv.bench.modes: unknown mode '" + name
                    + "' (off, held, on, cached)")));
        }
        return modes.toArray(new Mode[0]);
    }

    /** One measured run of {@code mode}, with its waiting connections set up before and checked after. */
    private RunResult measure(Mode mode, int seconds, int round) throws Exception {
        CountDownLatch releaseTarpit = new CountDownLatch(1);
        tarpit.script(tarpitScript(releaseTarpit));
        // Counts start from zero, and the remotes' records of earlier runs do not fill the heap.
        fastMx.forgetConnections();
        tarpit.forgetConnections();
        long passesBefore = james.passVerdicts();

        List<BenchSmtpClient> waiting = openWaiting(mode, round);
        if (mode == Mode.ON_HELD) {
            await(() -> tarpit.openConnectionCount() >= WAITING, Duration.ofSeconds(10),
                "the held callbacks' connections to the tarpit");
        }
        System.gc(); // every run starts with the same, nearly empty heap

        long redisBefore = redisCommands();
        CpuUse cpuBefore = CpuUse.snapshot();
        Load load = load(mode, seconds);
        CpuUse cpuAfter = CpuUse.snapshot();
        if (redis != null) {
            // the reading itself is one command
            long commands = redisCommands() - redisBefore - 1;
            System.out.printf(Locale.ROOT, "  redis: %d commands for %d transactions, %.2f per transaction%n", commands,
                load.transactions, commands / (double) Math.max(1, load.transactions));
        }

        int threadsAtEnd = jamesThreads().size();
        String threadNames = mode == Mode.ON_HELD ? threadNames() : "";
        long spoolAtEnd = james.spoolSize();
        int stillWaiting = 0;
        for (BenchSmtpClient c : waiting) {
            String state = c.stateAfter(1);
            if ("silent".equals(state)) {
                stillWaiting++;
            } else {
                fail(mode.label + ", round " + round + ": a waiting connection was not waiting any more at the end: " + state);
            }
            c.close();
        }
        int tarpitOpenAtEnd = tarpit.openConnectionCount();
        releaseTarpit.countDown(); // this run's held callbacks end (transient), so the next run starts clean
        await(() -> tarpit.openConnectionCount() == 0, Duration.ofSeconds(10), "the tarpit's connections to close");
        awaitSpoolEmpty();

        int fastCallbacks = fastMx.connectionCount();
        int tarpitCallbacks = tarpit.connectionCount();
        int expectedFast = mode.callsBack() ? load.transactions : 0;
        if (fastCallbacks != expectedFast) {
            fail(mode.label + ", round " + round + ": " + fastCallbacks + " callbacks to the fast MX for "
                + load.transactions + " transactions (expected " + expectedFast + ")");
        }
        int expectedTarpit = mode == Mode.ON_HELD ? WAITING : 0;
        if (tarpitCallbacks != expectedTarpit) {
            fail(mode.label + ", round " + round + ": " + tarpitCallbacks + " callbacks to the tarpit (expected "
                + expectedTarpit + ")");
        }
        if (mode == Mode.ON_HELD && tarpitOpenAtEnd < WAITING) {
            fail(mode.label + ", round " + round + ": only " + tarpitOpenAtEnd + " tarpit callbacks still open at the end");
        }
        if (load.failed > 0) {
            fail(mode.label + ", round " + round + ": " + load.failed + " transactions failed, first: " + load.firstFailure);
        }
        // Every transaction verified (pass), from a callback or from the cache; with a warm cache the
        // waiting connections too (their RCPT); the held ones end transient.
        long expectedPasses = !mode.hookOn() ? 0 : load.transactions + (mode == Mode.ON_CACHED ? WAITING : 0);
        long passes = awaitCount(() -> james.passVerdicts() - passesBefore, expectedPasses);
        if (passes != expectedPasses) {
            fail(mode.label + ", round " + round + ": " + passes + " pass verdicts for " + load.transactions
                + " transactions (expected " + expectedPasses + ")");
        }
        return new RunResult(mode, round, load, cpuAfter.since(cpuBefore), cpuAfter.processSince(cpuBefore),
            fastCallbacks, tarpitCallbacks, stillWaiting, threadsAtEnd, spoolAtEnd, threadNames);
    }

    /**
     * Fills the verdict cache for the warm-cache mode: one whole transaction per pool sender through
     * the "on" server, one after the other; each makes one callback to the fast MX, whose verdict
     * (pass, 7 days) the cache keeps. Checks that the fast MX was asked exactly once about each.
     */
    private void verifyPool() throws Exception {
        fastMx.forgetConnections();
        long passesBefore = james.passVerdicts();
        int port = james.smtpPort(Mode.ON.server);
        long start = System.nanoTime();
        for (int i = 0; i < POOL_SIZE; i++) {
            String sender = poolSender(i);
            try (BenchSmtpClient c = BenchSmtpClient.connect(port)) {
                c.expect(220, "connect");
                c.command("EHLO pool.client.bench", 250);
                c.command("MAIL FROM:<" + sender + ">", 250);
                c.command("RCPT TO:<" + RECIPIENT + ">", 250);
                c.command("DATA", 354);
                c.write(message(sender, "pool " + i));
                c.expect(250, "the final \".\""); // held until the callback's verdict is in
                c.command("QUIT", 221);
                c.awaitServerClose();
            }
        }
        awaitSpoolEmpty();
        Set<String> asked = new HashSet<>();
        int rcpts = 0;
        for (Connection connection : fastMx.connections()) {
            for (String command : connection.commands()) {
                if (command.regionMatches(true, 0, "RCPT TO:<", 0, 9) && command.endsWith(">")) {
                    asked.add(command.substring(9, command.length() - 1));
                    rcpts++;
                }
            }
        }
        Set<String> pool = new HashSet<>();
        for (int i = 0; i < POOL_SIZE; i++) {
            pool.add(poolSender(i));
        }
        long passes = awaitCount(() -> james.passVerdicts() - passesBefore, POOL_SIZE);
        System.out.printf(Locale.ROOT, "sender pool: %d senders verified in %.1f s, %d callbacks to the fast MX"
                + " (%d RCPTs, %d distinct addresses), %d pass verdicts%n", POOL_SIZE, (System.nanoTime() - start) / 1e9,
            fastMx.connectionCount(), rcpts, asked.size(), passes);
        if (fastMx.connectionCount() != POOL_SIZE || rcpts != POOL_SIZE || !asked.equals(pool) || passes != POOL_SIZE) {
            fail("sender pool: expected exactly one callback and one pass per pool sender (" + POOL_SIZE + "), got "
                + fastMx.connectionCount() + " callbacks, " + rcpts + " RCPTs, " + asked.size()
                + " distinct addresses (the pool's: " + asked.equals(pool) + "), " + passes + " passes");
        }
    }

    /** The pool sender number {@code n} modulo the pool's size. */
    private static String poolSender(long n) {
        return "pooled-" + Math.floorMod(n, POOL_SIZE) + "@fast.bench";
    }

    /** The 50 other connections of {@code mode}, each left waiting as the mode says. */
    private List<BenchSmtpClient> openWaiting(Mode mode, int round) throws IOException {
        List<BenchSmtpClient> waiting = new ArrayList<>();
        if (mode == Mode.ON) {
            return waiting;
        }
        int port = james.smtpPort(mode.server);
        for (int i = 0; i < WAITING; i++) {
            // With a warm cache the waiting senders are in the cache too: no callback, only the connection.
            String sender = mode == Mode.ON_CACHED ? poolSender(i) : "waiting-" + round + "-" + i + "@tarpit.bench";
            BenchSmtpClient c = BenchSmtpClient.connect(port);
            waiting.add(c);
            c.expect(220, "connect");
            c.command("EHLO waiting.client.bench", 250);
            c.command("MAIL FROM:<" + sender + ">", 250);
            c.command("RCPT TO:<" + RECIPIENT + ">", 250);
            c.command("DATA", 354);
            String message = message(sender, "waiting " + round + "-" + i);
            if (mode.waitsMidData()) {
                c.write(message.substring(0, message.length() - ".\r\n".length())); // mid-DATA
            } else {
                c.write(message); // the reply to its "." is held while the callback hangs on the tarpit
            }
        }
        return waiting;
    }

    /** {@code clients} threads running whole transactions against the mode's server for {@code seconds}. */
    private Load load(Mode mode, int seconds) throws InterruptedException {
        int port = james.smtpPort(mode.server);
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        ClientLoop[] loops = new ClientLoop[clients];
        Thread[] threads = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            loops[i] = new ClientLoop(port, deadline, mode == Mode.ON_CACHED);
            threads[i] = new Thread(loops[i], OWN_THREAD_PREFIX + "client-" + i);
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        return Load.of(loops, elapsed);
    }

    /** One client thread: transactions back to back until the deadline. */
    private final class ClientLoop implements Runnable {
        final int port;
        final long deadline;
        final boolean pooled;
        final LongList greetingNanos = new LongList();
        final LongList transactionNanos = new LongList();
        int failed;
        String firstFailure;
        long cpuNanos;

        ClientLoop(int port, long deadline, boolean pooled) {
            this.port = port;
            this.deadline = deadline;
            this.pooled = pooled;
        }

        @Override
        public void run() {
            long cpuStart = CpuUse.currentThreadNanos();
            while (System.nanoTime() < deadline) {
                String sender = pooled ? poolSender(poolCursor.getAndIncrement())
                    : "sender" + senders.incrementAndGet() + "@fast.bench";
                long t0 = System.nanoTime();
                try (BenchSmtpClient c = BenchSmtpClient.connect(port)) {
                    c.expect(220, "connect");
                    long greeted = System.nanoTime();
                    c.command("EHLO client.bench", 250);
                    c.command("MAIL FROM:<" + sender + ">", 250);
                    c.command("RCPT TO:<" + RECIPIENT + ">", 250);
                    c.command("DATA", 354);
                    c.write(message(sender, sender));
                    c.expect(250, "the final \".\"");
                    c.command("QUIT", 221);
                    long done = System.nanoTime();
                    c.awaitServerClose();
                    greetingNanos.add(greeted - t0);
                    transactionNanos.add(done - t0);
                } catch (IOException | RuntimeException e) {
                    if (failed++ == 0) {
                        firstFailure = e.toString();
                    }
                }
            }
            cpuNanos = CpuUse.currentThreadNanos() - cpuStart; // the thread ends now: no snapshot would see it
        }
    }

    /** What the client threads of one run did together. */
    private static final class Load {
        final int transactions;
        final int failed;
        final String firstFailure;
        final long elapsedNanos;
        final long clientCpuNanos;
        final long[] greetings;
        final long[] transactionTimes;

        private Load(int failed, String firstFailure, long elapsedNanos, long clientCpuNanos, long[] greetings,
                     long[] transactionTimes) {
            this.transactions = greetings.length;
            this.failed = failed;
            this.firstFailure = firstFailure;
            this.elapsedNanos = elapsedNanos;
            this.clientCpuNanos = clientCpuNanos;
            this.greetings = greetings;
            this.transactionTimes = transactionTimes;
            Arrays.sort(this.greetings);
            Arrays.sort(this.transactionTimes);
        }

        static Load of(ClientLoop[] loops, long elapsedNanos) {
            LongList greetings = new LongList();
            LongList times = new LongList();
            int failed = 0;
            long cpu = 0;
            String first = null;
            for (ClientLoop l : loops) {
                greetings.addAll(l.greetingNanos);
                times.addAll(l.transactionNanos);
                failed += l.failed;
                cpu += l.cpuNanos;
                if (first == null) {
                    first = l.firstFailure;
                }
            }
            return new Load(failed, first, elapsedNanos, cpu, greetings.toArray(), times.toArray());
        }

        /** Transactions per second, over the time until the last client finished its last transaction. */
        double tps() {
            return transactions / (elapsedNanos / 1e9);
        }
    }

    private static final class RunResult {
        final Mode mode;
        final int round;
        final Load load;
        final Map<CpuUse.Owner, Long> cpu;
        final long processCpuNanos;
        final int fastCallbacks;
        final int tarpitCallbacks;
        final int stillWaiting;
        final int threads;
        final long spoolAtEnd;
        final String threadNames;

        RunResult(Mode mode, int round, Load load, Map<CpuUse.Owner, Long> cpu, long processCpuNanos, int fastCallbacks,
                  int tarpitCallbacks, int stillWaiting, int threads, long spoolAtEnd, String threadNames) {
            this.mode = mode;
            this.round = round;
            this.load = load;
            this.cpu = cpu;
            this.processCpuNanos = processCpuNanos;
            this.fastCallbacks = fastCallbacks;
            this.tarpitCallbacks = tarpitCallbacks;
            this.stillWaiting = stillWaiting;
            this.threads = threads;
            this.spoolAtEnd = spoolAtEnd;
            this.threadNames = threadNames;
        }

        double tps() {
            return load.tps();
        }

        double greetingMedianMs() {
            return ms(percentile(load.greetings, 50));
        }

        double greetingP95Ms() {
            return ms(percentile(load.greetings, 95));
        }

        double transactionMedianMs() {
            return ms(percentile(load.transactionTimes, 50));
        }

        /** CPU microseconds per transaction spent by {@code owner}'s threads. */
        double cpuUs(CpuUse.Owner owner) {
            return load.transactions == 0 ? 0 : cpu.get(owner) / 1e3 / load.transactions;
        }

        double clientCpuUs() {
            return load.transactions == 0 ? 0 : load.clientCpuNanos / 1e3 / load.transactions;
        }

        /** The whole JVM's CPU per transaction: all threads, GC and JIT included. */
        double processCpuUs() {
            return load.transactions == 0 ? 0 : processCpuNanos / 1e3 / load.transactions;
        }

        /** How many cores the whole JVM kept busy: near 2 means the machine was saturated. */
        double coresBusy() {
            return processCpuNanos / (double) load.elapsedNanos;
        }

        String line() {
            return String.format(Locale.ROOT, "round %d %-14s %6.0f tx/s (%d, %d failed)  greeting p50 %.2f p95 %.2f ms"
                    + "  tx p50 %.2f ms  CPU/tx: James %.0f us (engine %.0f), remotes %.0f, clients %.0f, JVM %.0f;"
                    + " %.2f cores  callbacks fast %d tarpit %d  waiting at end %d  threads %d  spool %d",
                round, mode.label, tps(), load.transactions, load.failed, greetingMedianMs(), greetingP95Ms(),
                transactionMedianMs(), cpuUs(CpuUse.Owner.JAMES), cpuUs(CpuUse.Owner.ENGINE),
                cpuUs(CpuUse.Owner.REMOTES), clientCpuUs(), processCpuUs(), coresBusy(), fastCallbacks, tarpitCallbacks, stillWaiting,
                threads, spoolAtEnd);
        }
    }

    private void printSummary(Map<Mode, List<RunResult>> results, int seconds, int rounds) {
        System.out.println();
        System.out.printf("Medians over %d runs of %d s per mode.%n%n", rounds, seconds);
        System.out.println("| mode | the 50 other connections | transactions/s, each run | transactions/s | greeting p50"
            + " | greeting p95 | transaction p50 | CPU per transaction: James (engine) | scripted remotes | clients"
            + " | whole JVM | JVM busy | James threads at end |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Map.Entry<Mode, List<RunResult>> e : results.entrySet()) {
            List<RunResult> runs = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %.0f us (%.0f us) | %.0f us"
                    + " | %.0f us | %.0f us | %.2f cores | %s |%n",
                e.getKey().label, e.getKey().others,
                runs.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.tps())).collect(Collectors.joining(", ")),
                median(runs, RunResult::tps), median(runs, RunResult::greetingMedianMs), median(runs, RunResult::greetingP95Ms),
                median(runs, RunResult::transactionMedianMs), median(runs, r -> r.cpuUs(CpuUse.Owner.JAMES)),
                median(runs, r -> r.cpuUs(CpuUse.Owner.ENGINE)), median(runs, r -> r.cpuUs(CpuUse.Owner.REMOTES)),
                median(runs, RunResult::clientCpuUs), median(runs, RunResult::processCpuUs), median(runs, RunResult::coresBusy),
                runs.stream().map(r -> Integer.toString(r.threads)).distinct().collect(Collectors.joining(", ")));
        }
        List<RunResult> off = results.get(Mode.OFF);
        List<RunResult> held = results.get(Mode.ON_HELD);
        List<RunResult> on = results.get(Mode.ON);
        List<RunResult> cached = results.get(Mode.ON_CACHED);
        if (off != null && held != null && on != null) {
            printIssue3(off, held, on);
        }
        if (off != null && cached != null) {
            printIssue4(off, cached);
        }
        if (on != null && cached != null) {
            System.out.printf(Locale.ROOT, "  a callback per transaction instead of a cache hit, on (none held) vs on, warm cache:"
                + " %s%n", Comparison.of(on, cached));
        }
        if (held != null) {
            held.stream().filter(r -> !r.threadNames.isEmpty()).findFirst()
                .ifPresent(r -> System.out.println("James threads with 50 replies held: " + r.threadNames));
        }
    }

    private static void printIssue3(List<RunResult> off, List<RunResult> held, List<RunResult> on) {
        System.out.println();
        System.out.println("Issue 3 (a callback per transaction: every sender new, each a cache miss):");
        Comparison issue = Comparison.of(held, off);
        System.out.printf(Locale.ROOT, "  on + 50 held vs off (hook on with its callbacks and 50 held, against hook off): %s%n",
            issue);
        System.out.printf(Locale.ROOT, "    targets: throughput cost < 10%%: %s; median greeting <= +5 ms: %s%n",
            issue.throughputCost < 0.10 ? "met" : "MISSED", issue.greetingCostMs <= 5 ? "met" : "MISSED");
        Comparison heldAlone = Comparison.of(held, on);
        System.out.printf(Locale.ROOT, "  the held connections alone, on + 50 held vs on (none held): %s%n", heldAlone);
        System.out.printf(Locale.ROOT, "    targets read as the held connections' cost: throughput < 10%%: %s; greeting"
                + " <= +5 ms: %s%n", heldAlone.throughputCost < 0.10 ? "met" : "MISSED",
            heldAlone.greetingCostMs <= 5 ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "  the callbacks alone, on (none held) vs off: %s%n", Comparison.of(on, off));
    }

    private static void printIssue4(List<RunResult> off, List<RunResult> cached) {
        System.out.println();
        System.out.println("Issue 4 (every sender in the verdict cache; both sides with 50 connections mid-DATA):");
        Comparison warm = Comparison.of(cached, off);
        System.out.printf(Locale.ROOT, "  on, warm cache vs off: %s%n", warm);
        System.out.printf(Locale.ROOT, "    target: throughput cost < 5%%: %s%n", warm.throughputCost < 0.05 ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "    CPU per transaction, medians, warm cache vs off: James %.0f vs %.0f us (%+.0f),"
                + " clients %.0f vs %.0f us, whole JVM (GC and JIT included) %.0f vs %.0f us (%+.0f)%n",
            median(cached, r -> r.cpuUs(CpuUse.Owner.JAMES)), median(off, r -> r.cpuUs(CpuUse.Owner.JAMES)),
            median(cached, r -> r.cpuUs(CpuUse.Owner.JAMES)) - median(off, r -> r.cpuUs(CpuUse.Owner.JAMES)),
            median(cached, RunResult::clientCpuUs), median(off, RunResult::clientCpuUs),
            median(cached, RunResult::processCpuUs), median(off, RunResult::processCpuUs),
            median(cached, RunResult::processCpuUs) - median(off, RunResult::processCpuUs));
        // Within each round, like the throughput: CPU per transaction is far less sensitive to other load.
        int n = Math.min(cached.size(), off.size());
        double[] jamesCpu = new double[n];
        double[] jvmCpu = new double[n];
        for (int i = 0; i < n; i++) {
            jamesCpu[i] = cached.get(i).cpuUs(CpuUse.Owner.JAMES) - off.get(i).cpuUs(CpuUse.Owner.JAMES);
            jvmCpu[i] = (cached.get(i).processCpuUs() - off.get(i).processCpuUs()) / off.get(i).processCpuUs();
        }
        System.out.printf(Locale.ROOT, "    CPU per transaction within each round, warm cache minus off: James threads %+.1f us"
                + " (rounds: %s), whole JVM %+.1f%% (rounds: %s)%n", median(jamesCpu), Comparison.join(jamesCpu, 1, "%+.0f"),
            median(jvmCpu) * 100, Comparison.join(jvmCpu, 100, "%+.1f%%"));
    }

    /**
     * A's cost relative to B, computed within each round (A's and B's runs are seconds apart) and
     * summarised by the median over rounds, with the spread of the rounds.
     */
    private static final class Comparison {
        final double throughputCost;
        final double greetingCostMs;
        final String text;

        private Comparison(double throughputCost, double greetingCostMs, String text) {
            this.throughputCost = throughputCost;
            this.greetingCostMs = greetingCostMs;
            this.text = text;
        }

        static Comparison of(List<RunResult> a, List<RunResult> b) {
            int n = Math.min(a.size(), b.size());
            double[] tps = new double[n];
            double[] greet = new double[n];
            for (int i = 0; i < n; i++) {
                tps[i] = (b.get(i).tps() - a.get(i).tps()) / b.get(i).tps();
                greet[i] = a.get(i).greetingMedianMs() - b.get(i).greetingMedianMs();
            }
            double tpsCost = median(tps);
            double greetCost = median(greet);
            double ratioOfMedians = (median(b, RunResult::tps) - median(a, RunResult::tps)) / median(b, RunResult::tps);
            String text = String.format(Locale.ROOT, "throughput cost %.1f%% (rounds: %s; from the medians: %.1f%%),"
                    + " median greeting %+.2f ms (rounds: %s)",
                tpsCost * 100, join(tps, 100, "%.0f%%"), ratioOfMedians * 100, greetCost, join(greet, 1, "%+.2f"));
            return new Comparison(tpsCost, greetCost, text);
        }

        private static String join(double[] values, double scale, String format) {
            return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, format, v * scale))
                .collect(Collectors.joining(" "));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Silent until {@code release}, then hangs up: a tarpit whose callbacks this run can end. */
    private static SmtpScript tarpitScript(CountDownLatch release) {
        return SmtpScript.standard().greeting(Response.close().awaiting(release));
    }

    private static String message(String from, String subject) {
        return "From: <" + from + ">\r\n"
            + "To: <" + RECIPIENT + ">\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + subject.replace('@', '.').replace(' ', '.') + "@client.bench>\r\n"
            + "\r\n"
            + "A small benchmark message.\r\n"
            + ".\r\n";
    }

    private void fail(String what) {
        failures.add(what);
        System.out.println("FAILED: " + what);
    }

    /** Mails of the last run still being processed would take CPU from the next one. */
    private void awaitSpoolEmpty() throws InterruptedException {
        await(() -> {
            try {
                return james.spoolSize() == 0;
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the spool's size", e);
            }
        }, SETTLE_LIMIT, "James's spool to empty");
    }

    /** Polls {@code count} until it reaches {@code expected} or 5 s have passed; its last value. */
    private static long awaitCount(CountSupplier count, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long value = count.get();
        while (value < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            value = count.get();
        }
        return value;
    }

    @FunctionalInterface
    private interface CountSupplier {
        long get() throws Exception;
    }

    /** Polls until {@code condition} holds (a benchmark, not a test: a short sleep loop will do). */
    private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Every live thread except the benchmark's clients and its scripted remotes (one thread per connection). */
    private static List<Thread> jamesThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !t.getName().startsWith(OWN_THREAD_PREFIX) && !t.getName().startsWith(REMOTE_THREAD_PREFIX))
            .collect(Collectors.toList());
    }

    /** The threads by name, numbers folded: "bench-on-io-N x4, ...". */
    private static String threadNames() {
        Map<String, Integer> byName = new TreeMap<>();
        for (Thread t : jamesThreads()) {
            byName.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        return byName.entrySet().stream()
            .map(e -> e.getValue() == 1 ? e.getKey() : e.getKey() + " x" + e.getValue())
            .collect(Collectors.joining(", "));
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double median(List<RunResult> runs, ToDoubleFunction<RunResult> metric) {
        return median(runs.stream().mapToDouble(metric).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values; 0 when there are none. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** A growable array of longs: a latency per transaction without boxing a Long each time. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(LongList other) {
            for (int i = 0; i < other.size; i++) {
                add(other.values[i]);
            }
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
