package io.github.jamescbv.bench;

import io.github.jamescbv.james.e2e.CallbackRemotes;
import io.github.jamescbv.james.e2e.JamesNode;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.Peers;
import io.github.jamescbv.testing.peers.RedisPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The cold flood through two James nodes (issue 11, bench/flood.sh): the same flood of forged
 * senders of one domain through (a) two nodes sharing one redis-server ({@code <redis>}) and (b)
 * two nodes each with its own memory, in one run, against one scripted MX that answers every
 * reply after a delay, as a distant one would.
 *
 * <p>Four real James 3.8.1 in this JVM ({@link JamesNode}: the end-to-end tests' two-node setup,
 * {@code nodes/smtpserver.xml}), started one after the other and all up for the whole run, so that
 * the rounds can take turns between (a) and (b) minutes apart rather than a boot apart. Their
 * limits are set out of the way ({@link #smtpServers}): what decides is the sharing, not a rate.
 *
 * <p>A flood: {@code senders} addresses {@code forged-I@DOMAIN}, each sending {@code perSender}
 * messages, message J of sender I to node (I + J) mod 2 (every sender on both nodes, half the
 * messages on each), in an order shuffled with the round's seed (the same for (a) and (b)), sent by
 * {@code clients} threads at once, each message a transaction of its own: connect, EHLO, MAIL FROM,
 * RCPT TO a local user, DATA, the message; its answer time runs from the connect to the reply to
 * the final ".". Every flood has a domain of its own, so every flood is cold (no verdict, no slot,
 * no MX lookup in any cache). A warm-up flood per store comes first, not counted (the JIT).
 *
 * <p>Arguments: {@code [rounds [senders [messages per sender [clients [MX reply delay ms]]]]]},
 * default {@code 3 40 10 20 50}. Exit status 1 when a sanity check fails (a message not answered
 * 250 or not stored with {@code smtp_cbv_result}; with Redis, not exactly one callback per
 * sender across both nodes), 2 when redis-server is missing.
 */
public final class TwoNodeFloodBench {
    private static final String MX_HOST = "mx.flood.example";
    /** High enough never to refuse a callback of the flood: every client is 127.0.0.1, every sender of one domain. */
    private static final int PER_DOMAIN_RATE = 10_000;
    private static final int PER_CLIENT_RATE = 1_000_000;
    /** A line of INFO commandstats: {@code cmdstat_evalsha:calls=12,usec=...}. */
    private static final Pattern COMMAND_CALLS = Pattern.compile("^cmdstat_([^:]+):calls=(\\d+)");
    /** Each flood's storing must end within this; a mail is stored milliseconds after its 250. */
    private static final Duration STORED_WITHIN = Duration.ofSeconds(60);

    private final Settings settings;
    private final CallbackRemotes remotes;
    private final RedisPeer redis;
    private final List<String> failures = new ArrayList<>();

    private TwoNodeFloodBench(Settings settings, CallbackRemotes remotes, RedisPeer redis) {
        this.settings = settings;
        this.remotes = remotes;
        this.redis = redis;
    }

    public static void main(String[] args) throws Exception {
        Optional<String> missing = Peers.missing(Need.REDIS);
        if (missing.isPresent()) {
            System.err.println("flood: " + missing.get());
            System.exit(2);
        }
        Settings settings = Settings.parse(args);
        System.out.printf(Locale.ROOT, "flood: %d cores, Java %s, max heap %d MiB, load average %.2f at start%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024), PostfixRace.loadAverage());
        System.out.printf(Locale.ROOT, "%d senders x %d messages = %d per flood, %d client threads, MX reply delay %d ms,"
                + " perDomainConcurrent %d, perDomainRate %d, perClientRate %d, %d rounds%n",
            settings.senders, settings.perSender, settings.messages(), settings.clients, settings.replyDelay.toMillis(),
            settings.perDomainConcurrent, PER_DOMAIN_RATE, PER_CLIENT_RATE, settings.rounds);
        int status;
        try {
            status = run(settings);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // James leaves non-daemon threads behind after stop().
        System.exit(status);
    }

    private static int run(Settings settings) throws Exception {
        TestDnsServer records = new TestDnsServer().a(MX_HOST, "127.0.0.1");
        List<String> stores = List.of("redis", "memory");
        for (String store : stores) {
            records.mx(domain("warm", store), 10, MX_HOST);
            for (int round = 1; round <= settings.rounds; round++) {
                records.mx(domain("r" + round, store), 10, MX_HOST);
            }
        }
        Path root = Files.createTempDirectory("flood-bench");
        try (RedisPeer redis = RedisPeer.builder("redis-flood").start();
             CallbackRemotes remotes = CallbackRemotes.start(records, settings.replyDelay)) {
            System.setProperty("cbv.it.redis", redis.uri());
            List<JamesNode> started = new ArrayList<>();
            try {
                Map<String, List<JamesNode>> nodes = new TreeMap<>();
                for (String store : stores) {
                    String servers = smtpServers(store.equals("redis"), settings.perDomainConcurrent);
                    List<JamesNode> pair = new ArrayList<>();
                    for (int n = 1; n <= 2; n++) {
                        JamesNode node = new JamesNode(store + "-" + n, root, servers);
                        node.start(); // one after the other: see JamesNode
                        started.add(node);
                        pair.add(node);
                    }
                    nodes.put(store, pair);
                }
                return new TwoNodeFloodBench(settings, remotes, redis).floods(stores, nodes);
            } finally {
                // Before Redis and the MX go: a node that outlived its Redis would only log that it lost it.
                for (JamesNode node : started) {
                    node.stop();
                }
            }
        }
    }

    /** A warm-up flood per store, then the rounds; the table; the exit status. */
    private int floods(List<String> stores, Map<String, List<JamesNode>> nodes) throws Exception {
        for (String store : stores) {
            System.out.println("warm-up " + flood(store, nodes.get(store), "warm", 0));
        }
        List<Flood> floods = new ArrayList<>();
        for (int round = 1; round <= settings.rounds; round++) {
            // Which store goes first alternates, so that neither always meets the JIT or the machine first.
            List<String> order = new ArrayList<>(stores);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (String store : order) {
                Flood flood = flood(store, nodes.get(store), "r" + round, round);
                System.out.println(flood);
                floods.add(flood);
            }
        }
        System.out.printf(Locale.ROOT, "load average %.2f at the end%n%n", PostfixRace.loadAverage());
        printTable(floods, stores);
        return report();
    }

    private static String domain(String round, String store) {
        return round + "-" + store + ".flood.example";
    }

    /**
     * {@code nodes/smtpserver.xml} with the limits out of the way (its own are small, for the
     * tests to reach in a few messages) and requests queued for a domain slot (its {@code maxQueued}
     * 0 refuses them), with its {@code <redis>} or without.
     */
    private static String smtpServers(boolean shared, int perDomainConcurrent) throws IOException {
        String servers = ConfDirectory.resource("nodes/smtpserver.xml");
        servers = ConfDirectory.replace(servers, "<perDomainRate>3</perDomainRate>",
            "<perDomainRate>" + PER_DOMAIN_RATE + "</perDomainRate><perDomainConcurrent>" + perDomainConcurrent + "</perDomainConcurrent>");
        servers = ConfDirectory.replace(servers, "<perClientRate>5</perClientRate>", "<perClientRate>" + PER_CLIENT_RATE + "</perClientRate>");
        servers = ConfDirectory.replace(servers, "<maxQueued>0</maxQueued>", "");
        if (shared) {
            return servers;
        }
        String alone = servers.replaceAll("(?s)<redis>.*?</redis>", "");
        if (alone.equals(servers)) {
            throw new IllegalStateException("no <redis> in nodes/smtpserver.xml to take out");
        }
        return alone;
    }

    /** One cold flood through {@code pair}, from the first message until every one is answered and stored. */
    private Flood flood(String store, List<JamesNode> pair, String round, long seed) throws Exception {
        String domain = domain(round, store);
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < settings.senders; i++) {
            for (int j = 0; j < settings.perSender; j++) {
                messages.add(new Message("forged-" + i + "@" + domain, pair.get((i + j) % 2), "flood " + domain + " " + i + "." + j));
            }
        }
        Collections.shuffle(messages, new Random(seed));
        boolean shared = store.equals("redis");

        int connectionsBefore = remotes.mx.connectionCount();
        List<Long> storedBefore = new ArrayList<>();
        for (JamesNode node : pair) {
            storedBefore.add(node.james.storedCount());
        }
        long commandsBefore = shared ? commandsProcessed() : 0;
        Map<String, Long> callsBefore = shared ? commandCalls() : Map.of();

        send(messages);
        long storedAt = awaitStored(pair, storedBefore, messages);

        // Since the 'before' INFO: the flood's commands, and the two INFOs asked before the flood
        // (a command is counted once it is done, so the 'after' INFO is not in its own number).
        long commands = shared ? commandsProcessed() - commandsBefore - 2 : -1;
        List<ScriptedSmtpServer.Connection> all = remotes.mx.connections();
        Flood flood = new Flood(round, store, messages, all.subList(connectionsBefore, all.size()), storedAt, commands);
        if (shared) {
            commandCalls().forEach((command, calls) -> {
                long during = calls - callsBefore.getOrDefault(command, 0L);
                if (during > 0 && !command.equals("info")) {
                    flood.commandsByName.put(command, during);
                }
            });
        }
        check(flood, pair, shared);
        return flood;
    }

    /** Every message on a connection of its own, {@code clients} at a time, all starting together. */
    private void send(List<Message> messages) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(settings.clients,
            r -> new Thread(r, "flood-client-" + threadNumber.incrementAndGet()));
        for (int c = 0; c < settings.clients; c++) {
            clients.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = next.getAndIncrement(); k < messages.size(); k = next.getAndIncrement()) {
                    messages.get(k).send();
                }
            });
        }
        go.countDown();
        clients.shutdown();
        if (!clients.awaitTermination(5, TimeUnit.MINUTES)) {
            clients.shutdownNow();
            failures.add("the clients did not finish within 5 minutes");
        }
    }

    /**
     * When both nodes' repositories hold the flood's messages, looked at every 5 ms: a count is
     * cheap, where reading the mails copies each one.
     */
    private long awaitStored(List<JamesNode> pair, List<Long> before, List<Message> messages) throws Exception {
        long deadline = System.nanoTime() + STORED_WITHIN.toNanos();
        while (true) {
            boolean all = true;
            for (int n = 0; n < pair.size() && all; n++) {
                JamesNode node = pair.get(n);
                long expected = messages.stream().filter(m -> m.node == node).count();
                all = node.james.storedCount() - before.get(n) >= expected;
            }
            if (all || System.nanoTime() > deadline) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
    }

    private long commandsProcessed() {
        return Long.parseLong(redis.info("total_commands_processed"));
    }

    /** Calls so far by command ({@code INFO commandstats}): where the commands of a flood go. */
    private Map<String, Long> commandCalls() {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : redis.bulk("INFO commandstats").split("\r\n")) {
            Matcher m = COMMAND_CALLS.matcher(line);
            if (m.find()) {
                calls.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return calls;
    }

    /** Every message answered 250 and stored with the attribute; with Redis, one callback per sender. */
    private void check(Flood flood, List<JamesNode> pair, boolean shared) {
        String which = "round " + flood.round + ", " + flood.store + ": ";
        flood.messages.stream().filter(m -> m.failure != null).limit(5)
            .forEach(m -> failures.add(which + m.sender + " via " + m.node.hello + ": " + m.failure));
        for (JamesNode node : pair) {
            List<Message> mine = flood.messages.stream().filter(m -> m.node == node && m.failure == null).collect(Collectors.toList());
            List<StoredMail> stored;
            try {
                stored = node.james.awaitMails(mine.stream().map(m -> m.subject).collect(Collectors.toList()));
            } catch (RuntimeException e) {
                failures.add(which + node.hello + ": not every message stored: " + e.getMessage());
                continue;
            }
            for (StoredMail mail : stored) {
                Optional<String> result = mail.result();
                if (result.isEmpty()) {
                    failures.add(which + "stored without smtp_cbv_result: " + mail);
                }
                flood.verdicts.merge(result.orElse("none") + (result.isPresent() ? ", cached " + mail.detail().get("cached") : ""),
                    1, Integer::sum);
            }
        }
        if (shared && (flood.connections() != settings.senders || flood.calledBack() != settings.senders)) {
            failures.add(which + flood.connections() + " connections at the MX for " + flood.calledBack() + " of "
                + settings.senders + " senders: one callback per sender across both nodes expected");
        }
    }

    private int report() {
        if (!failures.isEmpty()) {
            System.out.println();
            System.out.println("SANITY CHECKS FAILED:");
            failures.stream().limit(30).forEach(f -> System.out.println("  " + f));
            return 1;
        }
        System.out.println();
        System.out.println("sanity: every message answered 250 and stored with smtp_cbv_result;"
            + " with Redis, one connection at the MX per sender across both nodes, in every flood");
        return 0;
    }

    private static void printTable(List<Flood> floods, List<String> stores) {
        System.out.println("| round | store | connections at the MX | RCPTs at the MX | all answered | all stored"
            + " | answer p50 / p95 / max | Redis commands per message |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Flood f : floods) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.2f s | %.2f s | %.0f / %.0f / %.0f ms | %s |%n", f.round, f.store,
                f.connections(), f.rcpts(), f.answeredSeconds(), f.storedSeconds(), f.answerMs(50), f.answerMs(95), f.answerMs(100),
                f.commands < 0 ? "-" : String.format(Locale.ROOT, "%.1f", f.commandsPerMessage()));
        }
        for (String store : stores) {
            List<Flood> mine = floods.stream().filter(f -> f.store.equals(store)).collect(Collectors.toList());
            System.out.printf(Locale.ROOT, "| median | %s | %.0f | %.0f | %.2f s | %.2f s | %.0f / %.0f / %.0f ms | %s |%n", store,
                median(mine, Flood::connections), median(mine, Flood::rcpts), median(mine, Flood::answeredSeconds),
                median(mine, Flood::storedSeconds), median(mine, f -> f.answerMs(50)), median(mine, f -> f.answerMs(95)),
                median(mine, f -> f.answerMs(100)),
                store.equals("redis") ? String.format(Locale.ROOT, "%.1f", median(mine, Flood::commandsPerMessage)) : "-");
        }
    }

    private static double median(List<Flood> floods, ToDoubleFunction<Flood> metric) {
        return JamesBench.median(floods.stream().mapToDouble(metric).toArray());
    }

    /** One message of a flood, and how it went. */
    private static final class Message {
        final String sender;
        final JamesNode node;
        final String subject;
        volatile long startNanos;
        volatile long answeredNanos;
        volatile String failure;

        Message(String sender, JamesNode node, String subject) {
            this.sender = sender;
            this.node = node;
            this.subject = subject;
        }

        /** The whole transaction: fails unless the final "." gets 250. */
        void send() {
            startNanos = System.nanoTime();
            try {
                node.james.deliver(node.hello, sender, JamesNode.RECIPIENT, subject);
                answeredNanos = System.nanoTime();
            } catch (Exception | AssertionError e) {
                failure = e.toString();
            }
        }
    }

    /** One flood's numbers. */
    private static final class Flood {
        final String round;
        final String store;
        final List<Message> messages;
        final List<ScriptedSmtpServer.Connection> callbacks;
        /** Redis commands processed during the flood; -1 without Redis. */
        final long commands;
        final long firstNanos;
        final long answeredNanos;
        final long storedNanos;
        final long[] answerNanos;
        /** With Redis, the flood's commands by name, INFO left out. */
        final Map<String, Long> commandsByName = new TreeMap<>();
        /** Verdicts of the stored messages, "pass, cached false" and the like, by how many. */
        final Map<String, Integer> verdicts = new TreeMap<>();

        Flood(String round, String store, List<Message> messages, List<ScriptedSmtpServer.Connection> callbacks, long storedNanos,
              long commands) {
            this.round = round;
            this.store = store;
            this.messages = messages;
            this.callbacks = callbacks;
            this.storedNanos = storedNanos;
            this.commands = commands;
            this.firstNanos = messages.stream().mapToLong(m -> m.startNanos).min().orElse(0);
            this.answeredNanos = messages.stream().mapToLong(m -> m.answeredNanos).max().orElse(0);
            this.answerNanos = messages.stream().filter(m -> m.failure == null)
                .mapToLong(m -> m.answeredNanos - m.startNanos).sorted().toArray();
        }

        int connections() {
            return callbacks.size();
        }

        int rcpts() {
            return (int) callbacks.stream().flatMap(c -> c.verbs().stream()).filter("RCPT"::equals).count();
        }

        /** Distinct addresses the MX was asked about. */
        int calledBack() {
            return (int) callbacks.stream().flatMap(c -> c.commands().stream())
                .filter(line -> SmtpScript.verbOf(line).equals("RCPT")).map(SmtpScript::pathOf).distinct().count();
        }

        double answeredSeconds() {
            return (answeredNanos - firstNanos) / 1e9;
        }

        double storedSeconds() {
            return (storedNanos - firstNanos) / 1e9;
        }

        double answerMs(int percentile) {
            return JamesBench.percentile(answerNanos, percentile) / 1e6;
        }

        double commandsPerMessage() {
            return (double) commands / messages.size();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "round %s, %-6s: %d messages (%d failed), all answered %.2f s and stored %.2f s"
                    + " after the first; answer p50 %.0f, p95 %.0f, max %.0f ms; MX: %d connections, %d RCPTs, %d senders%s; verdicts %s",
                round, store, messages.size(), messages.size() - answerNanos.length, answeredSeconds(), storedSeconds(),
                answerMs(50), answerMs(95), answerMs(100), connections(), rcpts(), calledBack(),
                commands < 0 ? "" : String.format(Locale.ROOT, "; Redis %d commands, %.1f per message %s", commands, commandsPerMessage(),
                    commandsByName),
                verdicts);
        }
    }

    /** The arguments. */
    private static final class Settings {
        final int rounds;
        final int senders;
        final int perSender;
        final int clients;
        final Duration replyDelay;
        /** Kept at 10 unless {@code -Dcbv.flood.perDomainConcurrent} says otherwise (the domain limit held cluster-wide). */
        final int perDomainConcurrent = Integer.getInteger("cbv.flood.perDomainConcurrent", 10);

        private Settings(int rounds, int senders, int perSender, int clients, Duration replyDelay) {
            this.rounds = rounds;
            this.senders = senders;
            this.perSender = perSender;
            this.clients = clients;
            this.replyDelay = replyDelay;
        }

        static Settings parse(String[] args) {
            return new Settings(SoakBench.arg(args, 0, 3), SoakBench.arg(args, 1, 40), SoakBench.arg(args, 2, 10),
                SoakBench.arg(args, 3, 20), Duration.ofMillis(SoakBench.arg(args, 4, 50)));
        }

        int messages() {
            return senders * perSender;
        }
    }
}
