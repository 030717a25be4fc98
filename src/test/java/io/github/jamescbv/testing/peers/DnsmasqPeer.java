package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real dnsmasq serving a small test zone, in the foreground as a child of the test JVM
 * ({@code --no-daemon}: no fork, no pid file, no user change), reading no configuration
 * of the machine's ({@code --conf-file=/dev/null --no-resolv --no-hosts}), bound only to the
 * given address ({@code --bind-interfaces}). Its query log goes to {@code target/peers/NAME.log}.
 *
 * <pre>
 * try (DnsmasqPeer dns = DnsmasqPeer.builder("127.0.0.20", 53).zone("interop.test")
 *         .mx("multi.interop.test", 10, "mx1.interop.test").a("mx1.interop.test", "127.0.0.21")
 *         .nullMx("nullmx.interop.test").failing("broken.test").start()) {
 *     ...
 * }
 * </pre>
 */
public final class DnsmasqPeer implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(15);

    private final String address;
    private final int port;
    private final Process process;
    private final Path log;
    private final DatagramSocket blackHole;
    private final Thread shutdownHook;

    private DnsmasqPeer(String address, int port, Process process, Path log, DatagramSocket blackHole) {
        this.address = address;
        this.port = port;
        this.process = process;
        this.log = log;
        this.blackHole = blackHole;
        this.shutdownHook = new Thread(this::stop, "dnsmasq-peer-stop");
    }

    public static Builder builder(String listenAddress, int port) {
        return new Builder(listenAddress, port);
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** {@code address:port}, as our {@code <dns><server>} wants it. */
    public String server() {
        return address + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** What dnsmasq logged: start-up, and every query with its answer ({@code --log-queries}). */
    public List<String> logLines() {
        return PeerProcesses.logLines(log);
    }

    @Override
    public void close() {
        PeerProcesses.stopNow(shutdownHook, this::stop);
    }

    private void stop() {
        try {
            PeerProcesses.terminate(process); // SIGTERM: dnsmasq exits at once
        } finally {
            blackHole.close();
        }
    }

    /** The zone. Names: absolute or not, without the trailing dot. */
    public static final class Builder {
        private final String address;
        private final int port;
        private final List<String> options = new ArrayList<>();
        private final List<String> failing = new ArrayList<>();
        private String name;

        private Builder(String address, int port) {
            this.address = address;
            this.port = port;
            this.name = "dnsmasq-" + address;
        }

        /** Names the log file {@code target/peers/NAME.log} (default {@code dnsmasq-ADDRESS}). */
        public Builder name(String logName) {
            this.name = logName;
            return this;
        }

        /** Answers for {@code domain} and every name under it from this zone only: an unknown name is NXDOMAIN (not REFUSED). */
        public Builder zone(String domain) {
            return option("--local=/" + domain + "/");
        }

        /** An MX record; call again for more preferences. */
        public Builder mx(String domain, int preference, String host) {
            return option("--mx-host=" + domain + "," + host + "," + preference);
        }

        /** The null MX of RFC 7505: {@code MX 0 .}, "this domain accepts no mail". */
        public Builder nullMx(String domain) {
            return option("--mx-host=" + domain + ",.,0");
        }

        public Builder a(String name, String ipv4) {
            return option("--host-record=" + name + "," + ipv4);
        }

        public Builder aaaa(String name, String ipv6) {
            return option("--host-record=" + name + "," + ipv6);
        }

        public Builder cname(String alias, String target) {
            return option("--cname=" + alias + "," + target);
        }

        /** Forwards {@code domain} to a server that never answers: its lookups time out. */
        public Builder failing(String domain) {
            failing.add(domain);
            return this;
        }

        /** Any other dnsmasq option, as on its command line. */
        public Builder option(String option) {
            options.add(option);
            return this;
        }

        /** Starts dnsmasq and waits until it has bound its socket; fails with its output when it does not. */
        public DnsmasqPeer start() {
            Path log = Path.of("target", "peers", name + ".log").toAbsolutePath();
            DatagramSocket blackHole = null;
            try {
                Files.createDirectories(log.getParent());
                Files.deleteIfExists(log);
                // Bound and never read: a "server" that is there and never answers, taken from no one.
                blackHole = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                List<String> command = new ArrayList<>(List.of(Peers.program("dnsmasq"),
                    "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces",
                    "--listen-address=" + address, "--port=" + port, "--log-queries", "--log-facility=-"));
                for (String domain : failing) {
                    command.add("--server=/" + domain + "/127.0.0.1#" + blackHole.getLocalPort());
                }
                command.addAll(options);
                Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
                DnsmasqPeer peer = new DnsmasqPeer(address, port, process, log, blackHole);
                awaitStarted(peer, command);
                Runtime.getRuntime().addShutdownHook(peer.shutdownHook);
                return peer;
            } catch (IOException e) {
                if (blackHole != null) {
                    blackHole.close();
                }
                throw new UncheckedIOException("starting dnsmasq", e);
            }
        }

        /** dnsmasq logs "started" once its sockets are bound, and exits when it cannot bind. */
        private static void awaitStarted(DnsmasqPeer peer, List<String> command) {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (true) {
                boolean started = peer.logLines().stream().anyMatch(l -> l.contains("started, version"));
                if (started && peer.isRunning()) {
                    return;
                }
                if (!peer.isRunning() || System.nanoTime() > deadline) {
                    peer.stop();
                    throw new IllegalStateException("dnsmasq did not start: " + String.join(" ", command)
                        + "\n  " + String.join("\n  ", peer.logLines()));
                }
                PeerProcesses.sleep(Duration.ofMillis(20));
            }
        }
    }
}
