package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real redis-server, in the foreground as a child of the test JVM, on a free loopback port of
 * its own, reading no configuration of the machine's (everything on the command line), its files
 * in a directory of its own under {@code target/peers/NAME}, its log in {@code NAME.log} there.
 * Without {@link Builder#persistent()} it keeps nothing on disk ({@code --save "" --appendonly no}),
 * so every start is an empty Redis.
 *
 * <pre>
 * try (RedisPeer redis = RedisPeer.builder("redis-verdicts").start()) {
 *     RedisClient.create(redis.uri()) ...
 * }
 * </pre>
 */
public final class RedisPeer implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(15);
    private static final int PORT_ATTEMPTS = 5;

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private RedisPeer(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "redis-peer-stop-" + name);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** A lettuce URI, as {@code <redis><url>} wants it. */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** One inline command (no argument may hold a space), its first reply line, e.g. {@code +OK}, {@code :3}. */
    public String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return firstLine(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + name + ": " + inline, e);
        }
    }

    /** A field of {@code INFO} ({@code total_commands_processed}, {@code used_memory}...), as Redis wrote it. */
    public String info(String field) {
        return field(bulk("INFO"), field)
            .orElseThrow(() -> new IllegalStateException("redis " + name + ": no " + field + " in INFO"));
    }

    /** A field of a {@code field:value} text such as INFO's or CLUSTER INFO's. */
    public static Optional<String> field(String text, String field) {
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Optional.of(line.substring(field.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** One inline command whose reply is a bulk string ({@code INFO}, {@code CLUSTER INFO}...): that string. */
    public String bulk(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String header = firstLine(in); // $<length> of the bulk reply, or an error
            if (!header.startsWith("$")) {
                throw new IllegalStateException("redis " + name + ": " + inline + " answered " + header);
            }
            return new String(in.readNBytes(Integer.parseInt(header.substring(1))), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + name + ": " + inline, e);
        }
    }

    /**
     * SIGKILL, as a crash or the OOM killer would: no goodbye to its clients, whose connections
     * break. Waits until it has exited; start another on {@link #port()} to bring it back.
     */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing redis " + name, e);
        }
    }

    /**
     * SIGSTOP: the process freezes with its connections open, so that its clients' commands are
     * sent and never answered (a Redis stuck on a slow disk, a swapping host). Until {@link #resume}.
     */
    public void pause() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause}: it answers again, the commands sent meanwhile first. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        // the JDK sends only SIGTERM and SIGKILL; kill(1) the others
        PeerCommand.check(log.resolveSibling(name + "-signals.log"), Duration.ofSeconds(5),
            List.of("kill", signal, Long.toString(pid())));
    }

    /** What redis-server logged. */
    public List<String> logLines() {
        return PeerProcesses.logLines(log);
    }

    @Override
    public void close() {
        PeerProcesses.stopNow(shutdownHook, this::stop);
    }

    private void stop() {
        PeerProcesses.terminate(process); // SIGTERM: redis-server exits at once (it has nothing to save)
    }

    /** Whether it answers PING now. */
    boolean answers() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** How the server runs. */
    public static final class Builder {
        private final String name;
        private final List<String> options = new ArrayList<>();
        private boolean persistent;
        private boolean cluster;
        private int port;

        private Builder(String name) {
            this.name = name;
        }

        /** Keeps an append-only file in its directory, so that a restart finds what it held. */
        public Builder persistent() {
            this.persistent = true;
            return this;
        }

        /** On this port instead of a free one (a Redis that comes back where its clients look for it). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * A node of a Redis Cluster, not yet part of one ({@link RedisClusterPeer} makes the
         * cluster): its cluster state in {@code nodes-PORT.conf} of its own directory.
         */
        public Builder clusterNode() {
            this.cluster = true;
            return this;
        }

        /** Any other redis-server option, as on its command line: {@code option("--maxmemory", "1mb")}. */
        public Builder option(String... words) {
            options.addAll(List.of(words));
            return this;
        }

        /**
         * Starts redis-server on a free loopback port and waits until it answers PING; fails with
         * its log when it does not. The port is found free and then given to Redis, so another
         * process may take it meanwhile: then Redis cannot bind, exits, and another port is tried.
         */
        public RedisPeer start() {
            Path dir = PeerDirectories.defaultFor(name);
            IllegalStateException last = null;
            if (port != 0) {
                return startOn(port, dir);
            }
            for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
                try {
                    return startOn(freePort(), dir);
                } catch (IllegalStateException e) {
                    last = e;
                }
            }
            throw last;
        }

        private RedisPeer startOn(int port, Path dir) {
            Path log = dir.resolve(name + ".log");
            try {
                Files.createDirectories(dir);
                if (!persistent) {
                    clear(dir);
                }
                List<String> command = new ArrayList<>(List.of(Peers.program("redis-server"),
                    "--bind", "127.0.0.1", "--port", Integer.toString(port), "--daemonize", "no",
                    "--dir", dir.toString(), "--logfile", "", "--protected-mode", "yes"));
                command.addAll(persistent ? List.of("--appendonly", "yes") : List.of("--save", "", "--appendonly", "no"));
                if (cluster) {
                    command.addAll(List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString()));
                }
                command.addAll(options);
                Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
                RedisPeer peer = new RedisPeer(name, port, process, log);
                awaitAnswering(peer, command);
                Runtime.getRuntime().addShutdownHook(peer.shutdownHook);
                return peer;
            } catch (IOException e) {
                throw new UncheckedIOException("starting redis-server " + name, e);
            }
        }

        private static void awaitAnswering(RedisPeer peer, List<String> command) {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (!peer.answers()) {
                if (!peer.isRunning() || System.nanoTime() - deadline > 0) {
                    peer.stop();
                    throw new IllegalStateException("redis-server did not start: " + String.join(" ", command)
                        + "\n  " + String.join("\n  ", peer.logLines()));
                }
                PeerProcesses.sleep(Duration.ofMillis(20));
            }
        }

        /** What an earlier run left, so that a start without persistence is empty. */
        private static void clear(Path dir) throws IOException {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.collect(Collectors.toList())) {
                    if (Files.isRegularFile(f)) {
                        Files.delete(f);
                    }
                }
            }
        }

        /** A loopback port nothing listens on now. */
        public static int freePort() {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("finding a free port", e);
            }
        }
    }
}
