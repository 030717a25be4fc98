package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Postfix 3.7 instance of its own: config, queue and data directories under
 * {@code target/peers/NAME/}, started with {@code postfix -c DIR start}, stopped with
 * {@code postfix -c DIR abort} by {@link #close()}, which then waits until every process of the
 * instance has exited (killing any left after 10 s), logging to
 * {@code target/peers/NAME/postfix.log} through postlogd ({@code maillog_file}).
 *
 * <p>The system's own Postfix configuration is left alone: as root (which port 25 needs
 * anyway) Postfix trusts a {@code -c} directory without {@code alternate_config_directories};
 * {@link Builder#registerWithDefaultConfig()} adds it there for set-gid commands run by others.
 *
 * <pre>
 * try (PostfixPeer mx = PostfixPeer.builder("mx1").listen("127.0.0.21")
 *         .mailboxes("alice@known.test").start()) {
 *     // RCPT TO:&lt;alice@known.test&gt; 250, RCPT TO:&lt;bob@known.test&gt; 550 5.1.1
 * }
 * </pre>
 */
public final class PostfixPeer implements AutoCloseable {
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);

    private final Builder config;
    private final GreylistPolicyServer greylist;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private PostfixPeer(Builder config, GreylistPolicyServer greylist) {
        this.config = config;
        this.greylist = greylist;
        this.shutdownHook = new Thread(this::stopQuietly, "postfix-peer-" + config.name + "-stop");
    }

    /** A new instance named {@code name} (lower-case letters, digits, '-'): its directory is {@code target/peers/NAME}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return config.name;
    }

    /** The first address it listens on. */
    public String address() {
        return endpoints().get(0).getHostString();
    }

    /** The port of the first address it listens on. */
    public int port() {
        return endpoints().get(0).getPort();
    }

    public List<InetSocketAddress> endpoints() {
        return List.copyOf(config.endpoints);
    }

    public Path directory() {
        return config.directory;
    }

    /** Its {@code -c} directory (main.cf, master.cf, the map files). */
    public Path configDirectory() {
        return config.directory.resolve("conf");
    }

    public Path logFile() {
        return config.directory.resolve("postfix.log");
    }

    /** The greylisting policy server, when {@link Builder#greylist} was asked for. */
    public Optional<GreylistPolicyServer> greylist() {
        return Optional.ofNullable(greylist);
    }

    /** The log as it is now. postlogd writes asynchronously: use {@link #awaitLog} for what a client just caused. */
    public PostfixLog log() {
        return new PostfixLog(logLines());
    }

    public List<String> logLines() {
        try {
            return Files.exists(logFile()) ? Files.readAllLines(logFile(), StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls the log until {@code condition} holds; fails with the log's tail after {@code limit}. */
    public PostfixLog awaitLog(Predicate<PostfixLog> condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            PostfixLog log = log();
            if (condition.test(log)) {
                return log;
            }
            if (System.nanoTime() > deadline) {
                List<String> lines = log.lines();
                throw new AssertionError("Postfix " + name() + ": log condition not met within " + limit + "; last lines:\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
            PeerProcesses.sleep(Duration.ofMillis(50));
        }
    }

    /** The value of a main.cf parameter as this instance sees it ({@code postconf -c DIR -h}). */
    public String postconf(String parameter) {
        return postfixCommand("postconf", "-c", configDirectory().toString(), "-h", parameter).output.strip();
    }

    /** {@code postfix reload}: after changing a map file (texthash maps are read when a daemon starts). */
    public void reload() {
        PeerCommand.check(transcript(), COMMAND_LIMIT, List.of(Peers.program("postfix"), "-c", configDirectory().toString(), "reload"));
    }

    /** The master's pid while it runs. */
    public Optional<Long> masterPid() {
        try {
            Path pidFile = config.directory.resolve("queue/pid/master.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
            return PeerProcesses.running(pid) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The master and its children (smtpd, qmgr, postlogd...) that run now. */
    public List<Long> processes() {
        return masterPid().map(PeerProcesses::treeOf).orElse(List.of());
    }

    public boolean isRunning() {
        return PeerCommand.run(transcript(), COMMAND_LIMIT,
            List.of(Peers.program("postfix"), "-c", configDirectory().toString(), "status")).ok();
    }

    /** Stops Postfix and waits until its processes are gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PeerProcesses.stopNow(shutdownHook, this::stopQuietly);
    }

    private void stopQuietly() {
        try {
            stop(configDirectory(), config.directory);
        } finally {
            if (greylist != null) {
                greylist.close();
            }
        }
    }

    private void start() {
        stop(configDirectory(), config.directory); // a master left by an interrupted run of the same peer
        try {
            prepareDirectories();
            new PostfixConfigFiles(config).writeTo(configDirectory(), greylist);
            if (config.tlsLevel != null) {
                PeerCertificate.write(configDirectory(), config.certificateName, transcript());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing " + config.directory, e);
        }
        if (config.register) {
            DefaultPostfixConfig.allow(configDirectory(), transcript());
        }
        PeerCommand.Outcome started = PeerCommand.run(transcript(), COMMAND_LIMIT,
            List.of(Peers.program("postfix"), "-c", configDirectory().toString(), "start"));
        if (!started.ok()) {
            // postfix prints nothing without a terminal: the reason is in its log.
            String check = PeerCommand.run(transcript(), COMMAND_LIMIT,
                List.of(Peers.program("postfix"), "-c", configDirectory().toString(), "check")).toString();
            stop(configDirectory(), config.directory);
            throw new IllegalStateException("Postfix " + name() + " did not start: " + started + "; " + check
                + "; log:\n  " + String.join("\n  ", logLines()));
        }
        // No test connection to see it listen: it would be a session in the log. "postfix start"
        // returns once the master has opened its listeners ("master -w" waits for that).
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void prepareDirectories() throws IOException {
        deleteTree(config.directory);
        Files.createDirectories(configDirectory());
        Files.createDirectories(config.directory.resolve("queue"));
        Path data = Files.createDirectories(config.directory.resolve("data"));
        UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
        // Postfix's master and postlogd write here as the mail_owner.
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));
        Files.setPosixFilePermissions(config.directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<Path> closed = PeerDirectories.firstClosedAncestor(config.directory);
        if (closed.isPresent()) {
            throw new IOException(closed.get() + " cannot be traversed by user postfix (it needs o+x)");
        }
    }

    /** Stops the instance whose config is in {@code conf}, if one runs; waits for every process of it. */
    private static void stop(Path conf, Path directory) {
        if (!Files.exists(conf.resolve("main.cf"))) {
            return;
        }
        Path transcript = directory.resolve("commands.log");
        String postfix = Peers.program("postfix");
        if (!PeerCommand.run(transcript, COMMAND_LIMIT, List.of(postfix, "-c", conf.toString(), "status")).ok()) {
            return;
        }
        List<Long> before = masterTree(directory);
        // "abort" signals the master as "stop" does (SIGTERM; the master passes it to its
        // children), without "stop"'s polling in whole seconds: we wait for the processes here.
        PeerCommand.run(transcript, STOP_LIMIT, List.of(postfix, "-c", conf.toString(), "abort"));
        PeerProcesses.awaitGone(before, Duration.ofSeconds(10));
    }

    private static List<Long> masterTree(Path directory) {
        try {
            String pid = Files.readString(directory.resolve("queue/pid/master.pid"), StandardCharsets.US_ASCII).trim();
            return PeerProcesses.treeOf(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    private PeerCommand.Outcome postfixCommand(String program, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Peers.program(program));
        command.addAll(List.of(args));
        return PeerCommand.check(transcript(), COMMAND_LIMIT, command);
    }

    private Path transcript() {
        return config.directory.resolve("commands.log");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** What the instance is to be. Every option adds to main.cf/master.cf; {@link #mainCf} has the last word. */
    public static final class Builder {
        final String name;
        Path directory;
        final List<InetSocketAddress> endpoints = new ArrayList<>();
        String hostname;
        final List<String> mailboxes = new ArrayList<>();
        boolean rejectNullSender;
        Duration greylistRetryAfter;
        Duration tarpit;
        String tlsLevel;
        String certificateName;
        boolean register;
        final Map<String, String> mainCf = new LinkedHashMap<>();
        final List<String> masterCf = new ArrayList<>();
        final Map<String, String> files = new LinkedHashMap<>();

        private Builder(String name) {
            if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,30}")) {
                throw new IllegalArgumentException("bad peer name '" + name + "' (lower-case letters, digits, '-')");
            }
            this.name = name;
            this.directory = PeerDirectories.defaultFor(name);
            this.hostname = name + ".peer.test";
        }

        /**
         * Where its directories go, wiped at start. Default {@code target/peers/NAME}, or, when a
         * directory above it is closed to other users (a checkout under /root), a directory in
         * java.io.tmpdir: the daemons run as user postfix and must reach their queue.
         */
        public Builder directory(Path dir) {
            this.directory = dir.toAbsolutePath();
            return this;
        }

        /** Its {@code -c} directory, for map files named in {@link #mainCf} values. */
        public Path configDirectory() {
            return directory.resolve("conf");
        }

        /** smtpd on {@code address} port 25. */
        public Builder listen(String address) {
            return listen(address, 25);
        }

        /** smtpd on {@code address}:{@code port}; call again for more addresses or ports. */
        public Builder listen(String address, int port) {
            try {
                endpoints.add(new InetSocketAddress(InetAddress.getByName(address), port));
            } catch (IOException e) {
                throw new IllegalArgumentException("bad listen address '" + address + "'", e);
            }
            return this;
        }

        /** {@code myhostname}, shown in its greeting (default {@code NAME.peer.test}). */
        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        /**
         * Mailboxes of its virtual mailbox domains (the domains of these addresses): these are
         * accepted (and their mail discarded), any other address of those domains gets
         * {@code 550 5.1.1 ... User unknown in virtual mailbox table}.
         */
        public Builder mailboxes(String... addresses) {
            mailboxes.addAll(List.of(addresses));
            return this;
        }

        /**
         * Refuses the null sender at MAIL FROM ({@code 554 5.7.1 <>: Sender address rejected}):
         * {@code check_sender_access} in {@code smtpd_sender_restrictions}, with
         * {@code smtpd_delay_reject = no} (by default Postfix delays every rejection to RCPT TO).
         */
        public Builder rejectNullSender() {
            this.rejectNullSender = true;
            return this;
        }

        /**
         * Greylists at RCPT TO through {@code check_policy_service} and a {@link GreylistPolicyServer}:
         * a (client, sender, recipient) seen for the first time is deferred with a 450, and passes
         * once {@code retryAfter} has gone by since then ({@code Duration.ZERO}: the second try passes).
         */
        public Builder greylist(Duration retryAfter) {
            this.greylistRetryAfter = retryAfter;
            return this;
        }

        /** Delays every reply to RCPT TO by {@code delay} (whole seconds, at least 1): the {@code sleep} restriction. */
        public Builder tarpit(Duration delay) {
            this.tarpit = delay;
            return this;
        }

        /**
         * Speaks TLS: {@code smtpd_tls_security_level} {@code level} ({@code may}: offers STARTTLS;
         * {@code encrypt}: requires it, answering {@code 530 5.7.0 Must issue a STARTTLS command
         * first} to MAIL FROM in clear text), with a self-signed certificate for
         * {@code certificateName} made by openssl in its config directory ({@link PeerCertificate}),
         * and each TLS session logged ({@code smtpd_tls_loglevel 1}: "Anonymous TLS connection
         * established from ...: TLSv1.3 with cipher ...").
         */
        public Builder tls(String level, String certificateName) {
            this.tlsLevel = level;
            this.certificateName = certificateName;
            return this;
        }

        /** Sets a main.cf parameter, replacing what the options above would have set. */
        public Builder mainCf(String key, String value) {
            mainCf.put(key, value);
            return this;
        }

        /** Adds a master.cf line, e.g. another service ({@code "127.0.0.30:2525 inet n - n - - smtpd"}). */
        public Builder masterCf(String line) {
            masterCf.add(line);
            return this;
        }

        /** Writes a file into its config directory (a map: name it {@code texthash:} + {@code configDirectory().resolve(name)}). */
        public Builder file(String fileName, String content) {
            if (fileName.contains("/") || fileName.equals("main.cf") || fileName.equals("master.cf")) {
                throw new IllegalArgumentException("bad config file name '" + fileName + "'");
            }
            files.put(fileName, content);
            return this;
        }

        /**
         * Also list its config directory in {@code alternate_config_directories} of the default
         * main.cf (idempotent; never creates that file). Only set-gid commands (postqueue,
         * postdrop, sendmail) run by a user other than root need it.
         */
        public Builder registerWithDefaultConfig() {
            this.register = true;
            return this;
        }

        /** Writes the configuration and starts Postfix; fails with its log when it does not start. */
        public PostfixPeer start() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("Postfix " + name + ": no listen address");
            }
            GreylistPolicyServer greylist = null;
            try {
                if (greylistRetryAfter != null) {
                    greylist = GreylistPolicyServer.start(greylistRetryAfter);
                }
                PostfixPeer peer = new PostfixPeer(this, greylist);
                peer.start();
                return peer;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                if (greylist != null) {
                    greylist.close();
                }
                throw e;
            }
        }
    }
}
