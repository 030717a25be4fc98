package io.github.jamescbv.bench;

import io.github.jamescbv.testing.peers.DnsmasqPeer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.Peers;
import io.github.jamescbv.testing.peers.PostfixPeer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
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
 * <p>For each N: N new senders, cold (neither system has seen them), then the same senders again,
 * warm. Each sender is one client transaction (see {@link RaceClient}), tried again after a fixed
 * delay while the answer is 4xx (see {@link RacePass}); the remote's connections are counted in
 * its log. Arguments: {@code [--clients C] [--retry-delay-ms D] [--warm-up W] [--rset] N...},
 * default {@code --clients 20 --retry-delay-ms 1000 --warm-up 50 200 1000}. Exit status 1 when a
 * sender got a wrong answer (accepted but does not exist, or refused but does, or none), 2 when
 * the peers cannot run here.
 */
public final class PostfixRace {
    static final String DNS_ADDRESS = "127.0.0.50";
    static final String REMOTE_ADDRESS = "127.0.0.51";
    static final String POSTFIX_ADDRESS = "127.0.0.52";
    static final String JAMES_ADDRESS = "127.0.0.53";
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
        List<RaceSender> everyone = new ArrayList<>(RaceSender.batch("warm", options.warmUp, SENDER_DOMAIN));
        for (int n : options.sizes) {
            everyone.addAll(RaceSender.batch("n" + n, n, SENDER_DOMAIN));
        }
        String[] mailboxes = everyone.stream().filter(s -> s.exists).map(s -> s.address).toArray(String[]::new);

        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %.2f at start%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
        int status;
        try (DnsmasqPeer dns = DnsmasqPeer.builder(DNS_ADDRESS, 53).name("race-dnsmasq").zone(SENDER_DOMAIN)
                 .mx(SENDER_DOMAIN, 10, "mx." + SENDER_DOMAIN).a("mx." + SENDER_DOMAIN, REMOTE_ADDRESS).start();
             PostfixPeer remote = PostfixPeer.builder("race-remote").listen(REMOTE_ADDRESS).mailboxes(mailboxes).start();
             PostfixPeer postfix = RacePostfix.start(POSTFIX_ADDRESS, SENDER_DOMAIN, REMOTE_ADDRESS, RECIPIENT);
             RaceJames james = RaceJames.start(JAMES_ADDRESS, dns.server(), REMOTE_ADDRESS, RECIPIENT)) {
            System.out.println("Postfix under test: " + postfix.postconf("mail_version") + ", "
                + RacePostfix.settings(postfix));
            List<Contender> contenders = List.of(
                new Contender("Postfix", new InetSocketAddress(POSTFIX_ADDRESS, 25)),
                new Contender("James", james.smtpAddress()));
            status = new PostfixRace(options, remote, contenders).run();
        }
        System.exit(status);
    }

    private int run() throws Exception {
        System.out.printf(Locale.ROOT, "%d clients, retry after %d ms on 4xx, %s after an accepted RCPT,"
                + " warm-up %d senders per system%n", options.clients, options.retryDelay.toMillis(),
            options.sendData ? "DATA" : "RSET", options.warmUp);
        if (options.warmUp > 0) {
            List<RaceSender> warm = RaceSender.batch("warm", options.warmUp, SENDER_DOMAIN);
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
            List<RaceSender> senders = RaceSender.batch("n" + n, n, SENDER_DOMAIN);
            // Which system goes first alternates from one N to the next.
            List<Contender> order = k % 2 == 0 ? contenders : List.of(contenders.get(1), contenders.get(0));
            Map<String, Measured> byKey = new java.util.LinkedHashMap<>();
            for (Contender c : order) {
                for (String pass : List.of("cold", "warm")) {
                    Measured m = measure(c, senders);
                    byKey.put(c.name + " " + pass, m);
                    System.out.println(m.row(n, c.name, pass));
                    m.result.wrongAnswers().stream().limit(10)
                        .forEach(w -> problems.add("N=" + n + " " + c.name + " " + pass + ": " + w));
                    if (m.result.wrongAnswers().size() > 10) {
                        problems.add("N=" + n + " " + c.name + " " + pass + ": ... " + m.result.wrongAnswers().size() + " in all");
                    }
                    m.result.replyKinds().forEach((reply, count) ->
                        System.out.printf("      %5d x %s%n", count, reply));
                }
            }
            problems.addAll(disagreements(n, byKey));
            for (String pass : List.of("cold", "warm")) {
                Measured p = byKey.get("Postfix " + pass);
                Measured j = byKey.get("James " + pass);
                rows.add(p.row(n, "Postfix", pass));
                rows.add(j.row(n, "James", pass));
                System.out.printf(Locale.ROOT, "N=%d %s: James %.2f s vs Postfix %.2f s to every answer,"
                        + " %.0f vs %.0f answers/s: James at %.0f%% of Postfix's rate%n", n, pass,
                    j.result.secondsToAllAnswered(), p.result.secondsToAllAnswered(),
                    j.result.answersPerSecond(), p.result.answersPerSecond(),
                    100 * j.result.answersPerSecond() / p.result.answersPerSecond());
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
        System.out.println("every sender got the expected answer from both systems, cold and warm");
        return 0;
    }

    private Measured measure(Contender c, List<RaceSender> senders) throws InterruptedException {
        RemoteTally before = RemoteTally.settled(remote);
        RaceClient client = new RaceClient(c.address, RECIPIENT, options.sendData);
        RacePass.Result result = new RacePass(client, options.clients, options.retryDelay, MAX_TRIES).run(senders);
        RemoteTally after = RemoteTally.settled(remote);
        return new Measured(result, after.minus(before));
    }

    /** Senders the two systems answered differently in the same pass. */
    private static List<String> disagreements(int n, Map<String, Measured> byKey) {
        List<String> differing = new ArrayList<>();
        for (String pass : List.of("cold", "warm")) {
            Map<String, RacePass.SenderOutcome> p = byKey.get("Postfix " + pass).result.outcomes;
            Map<String, RacePass.SenderOutcome> j = byKey.get("James " + pass).result.outcomes;
            List<String> d = p.keySet().stream().filter(s -> !p.get(s).answer().equals(j.get(s).answer()))
                .map(s -> "N=" + n + " " + pass + ": " + s + " Postfix " + p.get(s).answer() + ", James " + j.get(s).answer())
                .collect(Collectors.toList());
            differing.addAll(d.subList(0, Math.min(10, d.size())));
        }
        return differing;
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
            + " | tries | 4xx | failed tries | remote connections | remote RCPTs | wrong |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
        final RacePass.Result result;
        final RemoteTally remote;

        Measured(RacePass.Result result, RemoteTally remote) {
            this.result = result;
            this.remote = remote;
        }

        String row(int n, String system, String pass) {
            return String.format(Locale.ROOT, "| %,d | %s | %s | %.2f s | %.0f | %.2f / %.2f s | %,d | %,d | %d | %,d | %,d | %d |",
                n, system, pass, result.secondsToAllAnswered(), result.answersPerSecond(), result.answerSeconds(0.5),
                result.answerSeconds(0.95), result.tries(), result.deferrals(), result.failures(), remote.connections,
                remote.rcpts, result.wrongAnswers().size());
        }
    }

    /** The command line. */
    static final class Options {
        int clients = 20;
        Duration retryDelay = Duration.ofSeconds(1);
        int warmUp = 50;
        boolean sendData = true;
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
