package io.github.jamescbv.testing.peers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on loopback: masters that are {@link RedisPeer}s of their own (a free
 * port, a directory, a log each, nothing kept on disk but the cluster's own state file), joined by
 * {@code redis-cli --cluster create} with no replicas, which splits the 16384 slots between them.
 * Started once every master says {@code cluster_state:ok}; closing stops every master.
 *
 * <pre>
 * try (RedisClusterPeer cluster = RedisClusterPeer.start("redis-cluster", 3)) {
 *     RedisClusterClient.create(...cluster.uri()...) ...
 * }
 * </pre>
 */
public final class RedisClusterPeer implements AutoCloseable {
    private static final Duration CREATE_LIMIT = Duration.ofSeconds(60);
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    private final String name;
    private final List<RedisPeer> masters;

    private RedisClusterPeer(String name, List<RedisPeer> masters) {
        this.name = name;
        this.masters = List.copyOf(masters);
    }

    /** Starts {@code size} masters (3 at least: redis-cli refuses fewer) and makes them one cluster. */
    public static RedisClusterPeer start(String name, int size) {
        List<RedisPeer> started = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                started.add(RedisPeer.builder(name + "-" + i).clusterNode().start());
            }
            RedisClusterPeer cluster = new RedisClusterPeer(name, started);
            cluster.create();
            cluster.awaitReady();
            return cluster;
        } catch (RuntimeException e) {
            started.forEach(RedisPeer::close);
            throw e;
        }
    }

    /** Every master's URI, comma-separated: the seeds, as {@code <redis><url>} takes them. */
    public String uri() {
        return masters.stream().map(RedisPeer::uri).collect(Collectors.joining(","));
    }

    public List<RedisPeer> masters() {
        return masters;
    }

    /** The slot the cluster gives {@code key} (no space in it), by {@code CLUSTER KEYSLOT}. */
    public int keySlot(String key) {
        String reply = masters.get(0).command("CLUSTER KEYSLOT " + key);
        if (!reply.startsWith(":")) {
            throw new IllegalStateException("redis cluster " + name + ": CLUSTER KEYSLOT " + key + " answered " + reply);
        }
        return Integer.parseInt(reply.substring(1));
    }

    /** Empties every master. */
    public void flushAll() {
        masters.forEach(m -> m.command("FLUSHALL"));
    }

    @Override
    public void close() {
        masters.forEach(RedisPeer::close);
    }

    private void create() {
        Path dir = PeerDirectories.defaultFor(name);
        Path log = dir.resolve("create.log");
        List<String> command = new ArrayList<>(List.of(Peers.program("redis-cli"), "--cluster", "create"));
        masters.forEach(m -> command.add(m.host() + ":" + m.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        try {
            Files.createDirectories(dir);
            Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            if (!process.waitFor(CREATE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                PeerProcesses.terminate(process);
                throw failed("redis-cli did not finish", command, log);
            }
            if (process.exitValue() != 0) {
                throw failed("redis-cli exited " + process.exitValue(), command, log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating redis cluster " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating redis cluster " + name, e);
        }
    }

    /** Until every master sees every slot served: a client asking any of them then finds the whole cluster. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        while (!masters.stream().allMatch(RedisClusterPeer::ok)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("redis cluster " + name + " not ok within " + READY_LIMIT + ": "
                    + masters.stream().map(m -> m.port() + " " + RedisPeer.field(m.bulk("CLUSTER INFO"), "cluster_state"))
                    .collect(Collectors.joining(", ")));
            }
            PeerProcesses.sleep(Duration.ofMillis(50));
        }
    }

    private static boolean ok(RedisPeer master) {
        return RedisPeer.field(master.bulk("CLUSTER INFO"), "cluster_state").filter("ok"::equals).isPresent();
    }

    private static IllegalStateException failed(String what, List<String> command, Path log) {
        return new IllegalStateException(what + ": " + String.join(" ", command) + "\n  "
            + String.join("\n  ", PeerProcesses.logLines(log)));
    }
}
