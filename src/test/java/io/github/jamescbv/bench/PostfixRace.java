package io.github.jamescbv.bench;

import io.github.jamescbv.testing.peers.DnsmasqPeer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.Peers;
import io.github.jamescbv.testing.peers.PostfixPeer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The race against Postfix (issue 6): the same workload through (a) Postfix 3.7 with
 * {@code reject_unverified_sender} and (b) a real James 3.8.1 with our handler in {@code defer}
 * mode, both calling back the same remote Postfix, one system at a time.
 *
 * <p>Peers, on the race's loopback addresses: dnsmasq on 127.0.0.50 (MX of {@code race.test}),
 * the remote Postfix on 127.0.0.51:25 (virtual mailboxes: every other sender exists, the others
 * get 550 5.1.1), the Postfix under test on 127.0.0.52:25, James on 127.0.0.53 (a port of its
 * choosing). The Postfix under test reaches the remote through {@code transport_maps}
 * ({@code race.test smtp:[127.0.0.51]:25}), because its DNS is the machine's resolver, which must
 * not be changed under the other users of this machine; James asks dnsmasq for the MX.
 *
 * <p>First a warm-up (W other senders through each system, cold and warm: the JIT, Postfix's
 * daemons). Then for each N: N new senders, cold (neither system has seen them), one system after
 * the other, then the same senders again, warm, in rounds that take turns between the systems (a
 * warm pass is short: its median is reported). Each sender is one client transaction (see
 * {@link RaceClient}), tried again after a fixed delay while the answer is 4xx (see
 * {@link RacePass}); the remote's connections are counted in its log. Arguments:
 * {@code [--clients C] [--retry-delay-ms D] [--warm-up W] [--warm-rounds R] [--rset]
 * [--remote-in-flow-delay T] [--reuse-off] N...} ({@code --reuse-off}: a second James on 127.0.0.54
 * races too, with connection reuse off, so that one run shows both), default {@code --clients 20 --retry-delay-ms 1000 --warm-up 50
 * --warm-rounds 5 --remote-in-flow-delay 0s 200 1000}. Exit status 1 when a
 * sender got a wrong answer (accepted but does not exist, or refused but does, or none), 2 when
 * the peers cannot run here.
 */
public final class PostfixRace {
    static final String DNS_ADDRESS = "127.0.0.50";
    static final String REMOTE_ADDRESS = "127.0.0.51";
    static final String POSTFIX_ADDRESS = "127.0.0.52";
    static final String JAMES_ADDRESS = "127.0.0.53";
    /** The second James of {@code --reuse-off}: connection reuse off, one connection per callback. */
    static final String JAMES_SINGLE_ADDRESS = "127.0.0.54";
    static final String POSTFIX = "Postfix";
    static final String JAMES = "James";
    static final String JAMES_NO_REUSE = "James, reuse off";
    static final String SENDER_DOMAIN = "race.test";
    static final String LOCAL_DOMAIN = "inbox.test";
    static final String RECIPIENT = "rcpt@" + LOCAL_DOMAIN;
    static final int MAX_TRIES = 60;

    private final Options options;
    private final PostfixPeer remote;
    private final List<Contender> contenders;

    private PostfixRace(Options options, PostfixPeer remote, List<Contender> contenders) {
        this.options = options;
        this.remote = remote;
        this.contenders = contenders;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Optional<String> missing = Peers.missing(Need.ROOT, Need.POSTFIX, Need.DNSMASQ);
        if (missing.isPresent()) {
            System.err.println("compare-postfix: " + missing.get());
            System.exit(2);
        }
        List<RaceSender> everyone = new ArrayList<>(warmUpBatch(options.warmUp));
        for (int k = 0; k < options.sizes.size(); k++) {
            everyone.addAll(batch(k, options.sizes.get(k)));
        }
        String[] mailboxes = everyone.stream().filter(s -> s.exists).map(s -> s.address).toArray(String[]::new);

        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %.2f at start%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
        int status;
        try (DnsmasqPeer dns = DnsmasqPeer.builder(DNS_ADDRESS, 53).name("race-dnsmasq").zone(SENDER_DOMAIN)
                 .mx(SENDER_DOMAIN, 10, "mx." + SENDER_DOMAIN).a("mx." + SENDER_DOMAIN, REMOTE_ADDRESS).start();
             PostfixPeer remote = PostfixPeer.builder("race-remote").listen(REMOTE_ADDRESS).mailboxes(mailboxes)
                 .mainCf("in_flow_delay", options.remoteInFlowDelay).start();
             PostfixPeer postfix = RacePostfix.start(POSTFIX_ADDRESS, SENDER_DOMAIN, REMOTE_ADDRESS, RECIPIENT);
             RaceJames james = RaceJames.start(JAMES_ADDRESS, dns.server(), REMOTE_ADDRESS, RECIPIENT, true);
             RaceJames single = options.reuseOff
                 ? RaceJames.start(JAMES_SINGLE_ADDRESS, dns.server(), REMOTE_ADDRESS, RECIPIENT, false) : null) {
            System.out.println("remote Postfix: in_flow_delay = " + remote.postconf("in_flow_delay"));
            System.out.println("Postfix under test: " + postfix.postconf("mail_version") + ", "
                + RacePostfix.settings(postfix));
            List<Contender> contenders = new ArrayList<>(List.of(
                new Contender(POSTFIX, new InetSocketAddress(POSTFIX_ADDRESS, 25)),
                new Contender(JAMES, james.smtpAddress())));
            if (single != null) {
                contenders.add(new Contender(JAMES_NO_REUSE, single.smtpAddress()));
            }
            status = new PostfixRace(options, remote, contenders).run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // James leaves non-daemon threads behind after stop().
        System.exit(status);
    }

    private int run() throws Exception {
        System.out.printf(Locale.ROOT, "%d clients, retry after %d ms on 4xx, %s after an accepted RCPT,"
                + " warm-up %d senders per system, %d warm rounds%n", options.clients, options.retryDelay.toMillis(),
            options.sendData ? "DATA" : "RSET", options.warmUp, options.warmRounds);
        if (options.warmUp > 0) {
            List<RaceSender> warm = warmUpBatch(options.warmUp);
            for (Contender c : contenders) {
                for (String pass : List.of("cold", "warm")) {
                    Measured m = measure(c, warm);
                    System.out.printf(Locale.ROOT, "warm-up %-7s %s: %.2f s, %d wrong%n", c.name, pass,
                        m.result.secondsToAllAnswered(), m.result.wrongAnswers().size());
                }
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < options.sizes.size(); k++) {
            int n = options.sizes.get(k);
            List<RaceSender> senders = batch(k, n);
            Map<String, Measured> cold = new LinkedHashMap<>();
            Map<String, List<Measured>> warm = new LinkedHashMap<>();
            // Which system goes first alternates from one N, and one warm round, to the next.
            for (Contender c : inTurn(k)) {
                cold.put(c.name, report(n, c.name, "cold", measure(c, senders), problems));
                warm.put(c.name, new ArrayList<>());
            }
            for (int round = 0; round < options.warmRounds; round++) {
                for (Contender c : inTurn(k + round)) {
                    warm.get(c.name).add(report(n, c.name, "warm", measure(c, senders), problems));
                }
            }
            for (Contender c : contenders.subList(1, contenders.size())) {
                problems.addAll(disagreements(n, "cold", c.name, cold.get(POSTFIX), cold.get(c.name)));
                for (int round = 0; round < options.warmRounds; round++) {
                    problems.addAll(disagreements(n, "warm", c.name, warm.get(POSTFIX).get(round),
                        warm.get(c.name).get(round)));
                }
            }
            for (String name : cold.keySet()) {
                rows.add(cold.get(name).row(n, name, "cold"));
            }
            for (String name : warm.keySet()) {
                rows.add(median(warm.get(name)).row(n, name, "warm, median of " + options.warmRounds));
            }
            for (Contender c : contenders.subList(1, contenders.size())) {
                compare(n, "cold", c.name, cold.get(POSTFIX), cold.get(c.name));
                compare(n, "warm (median)", c.name, median(warm.get(POSTFIX)), median(warm.get(c.name)));
            }
            for (String name : warm.keySet()) {
                System.out.printf(Locale.ROOT, "N=%d %s warm rounds, answers/s: %s%n", n, name, warm.get(name).stream()
                    .map(m -> String.format(Locale.ROOT, "%.0f", m.result.answersPerSecond())).collect(Collectors.joining(", ")));
            }
        }
        System.out.println();
        System.out.println(Measured.HEADER);
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "load average at the end: %.2f%n", loadAverage());
        if (!problems.isEmpty()) {
            System.out.println();
            System.out.println("WRONG OR DIFFERING ANSWERS:");
            problems.forEach(p -> System.out.println("  " + p));
            return 1;
        }
        System.out.println("every sender got the expected answer from every system, cold and warm");
        return 0;
    }

    private static List<RaceSender> warmUpBatch(int count) {
        return RaceSender.batch("warm", count, SENDER_DOMAIN);
    }

    /** The senders of the k-th N: new to both systems, even when an N is given twice. */
    private static List<RaceSender> batch(int k, int n) {
        return RaceSender.batch("r" + (k + 1) + "n" + n, n, SENDER_DOMAIN);
    }

    private Measured measure(Contender c, List<RaceSender> senders) throws InterruptedException {
        RemoteTally before = RemoteTally.settled(remote);
        RaceClient client = new RaceClient(c.address, RECIPIENT, options.sendData);
        RacePass.Result result = new RacePass(client, options.clients, options.retryDelay, MAX_TRIES).run(senders);
        RemoteTally after = RemoteTally.settled(remote);
        return new Measured(result, after.minus(before));
    }

    /** The contenders, each in its turn first: the order rotates by one from {@code turn} to the next. */
    private List<Contender> inTurn(int turn) {
        List<Contender> order = new ArrayList<>(contenders);
        java.util.Collections.rotate(order, -(turn % order.size()));
        return order;
    }

    /** Prints the pass's row and its final replies, and notes its wrong answers. */
    private static Measured report(int n, String system, String pass, Measured m, List<String> problems) {
        System.out.println(m.row(n, system, pass));
        m.result.replyKinds().forEach((reply, count) -> System.out.printf("      %5d x %s%n", count, reply));
        List<String> wrong = m.result.wrongAnswers();
        String where = "N=" + n + " " + system + " " + pass + ": ";
        wrong.stream().limit(10).forEach(w -> problems.add(where + w));
        if (wrong.size() > 10) {
            problems.add(where + "... " + wrong.size() + " in all");
        }
        return m;
    }

    private static void compare(int n, String pass, String name, Measured postfix, Measured james) {
        System.out.printf(Locale.ROOT, "N=%d %s: %s %.2f s vs Postfix %.2f s to every answer,"
                + " %.0f vs %.0f answers/s: at %.0f%% of Postfix's rate; %d vs %d remote connections%n", n, pass, name,
            james.result.secondsToAllAnswered(), postfix.result.secondsToAllAnswered(),
            james.result.answersPerSecond(), postfix.result.answersPerSecond(),
            100 * james.result.answersPerSecond() / postfix.result.answersPerSecond(),
            james.remote.connections, postfix.remote.connections);
    }

    /** The pass of median time to every answer (the upper one of an even count). */
    private static Measured median(List<Measured> passes) {
        List<Measured> sorted = new ArrayList<>(passes);
        sorted.sort(Comparator.comparingDouble(m -> m.result.secondsToAllAnswered()));
        return sorted.get(sorted.size() / 2);
    }

    /** Senders Postfix and the James called {@code name} answered differently in passes of the same kind. */
    private static List<String> disagreements(int n, String pass, String name, Measured postfix, Measured james) {
        Map<String, RacePass.SenderOutcome> p = postfix.result.outcomes;
        Map<String, RacePass.SenderOutcome> j = james.result.outcomes;
        return p.keySet().stream().filter(s -> !p.get(s).answer().equals(j.get(s).answer()))
            .limit(10)
            .map(s -> "N=" + n + " " + pass + ": " + s + " Postfix " + p.get(s).answer() + ", " + name + " " + j.get(s).answer())
            .collect(Collectors.toList());
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A system in the race: its name and where its SMTP server listens. */
    private static final class Contender {
        final String name;
        final InetSocketAddress address;

        Contender(String name, InetSocketAddress address) {
            this.name = name;
            this.address = address;
        }
    }

    /** A pass and what the remote saw of it. */
    private static final class Measured {
        static final String HEADER = "| N | system | pass | time to every final answer | answers/s | answered by (p50 / p95)"
            + " | tries | 4xx | failed tries | remote connections | remote RCPTs | remote sessions with problems | wrong |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
        final RacePass.Result result;
        final RemoteTally remote;

        Measured(RacePass.Result result, RemoteTally remote) {
            this.result = result;
            this.remote = remote;
        }

        String row(int n, String system, String pass) {
            return String.format(Locale.ROOT, "| %,d | %s | %s | %.2f s | %.0f | %.2f / %.2f s | %,d | %,d | %d | %,d | %,d | %d | %d |",
                n, system, pass, result.secondsToAllAnswered(), result.answersPerSecond(), result.answerSeconds(0.5),
                result.answerSeconds(0.95), result.tries(), result.deferrals(), result.failures(), remote.connections,
                remote.rcpts, remote.problems, result.wrongAnswers().size());
        }
    }

    /** The command line. */
    static final class Options {
        int clients = 20;
        Duration retryDelay = Duration.ofSeconds(1);
        int warmUp = 50;
        /** Warm passes per system and N: a warm pass is short, and one alone is at the mercy of the moment. */
        int warmRounds = 5;
        boolean sendData = true;
        /** Whether a second James races too, with connection reuse off ({@code --reuse-off}). */
        boolean reuseOff;
        /**
         * The remote's {@code in_flow_delay}, 0 unless asked otherwise. In Postfix a new message (its
         * queue file is opened at the first accepted RCPT TO) takes a flow-control token, and waits up
         * to in_flow_delay (1 s by default) when there is none; the queue manager puts tokens back as
         * it finishes with messages. A callback never sends DATA, so a remote that gets nothing but
         * callbacks never finishes a message: its tokens run out within a few dozen concurrent
         * callbacks, and from then on every accepted RCPT waits 1 s (rejected ones open no queue file
         * and are answered at once). A real MX, busy with real mail, has tokens. Both systems meet the
         * same remote, so either setting is fair; 0s measures the verifiers, 1s the remote's pauses.
         */
        String remoteInFlowDelay = "0s";
        final List<Integer> sizes = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--clients":
                        o.clients = Integer.parseInt(args[++i]);
                        break;
                    case "--retry-delay-ms":
                        o.retryDelay = Duration.ofMillis(Long.parseLong(args[++i]));
                        break;
                    case "--warm-up":
                        o.warmUp = Integer.parseInt(args[++i]);
                        break;
                    case "--remote-in-flow-delay":
                        o.remoteInFlowDelay = args[++i];
                        break;
                    case "--warm-rounds":
                        o.warmRounds = Integer.parseInt(args[++i]);
                        break;
                    case "--reuse-off":
                        o.reuseOff = true;
                        break;
                    case "--rset":
                        o.sendData = false;
                        break;
                    default:
                        o.sizes.add(Integer.parseInt(args[i]));
                }
            }
            if (o.sizes.isEmpty()) {
                o.sizes.addAll(List.of(200, 1000));
            }
            return o;
        }
    }
}
