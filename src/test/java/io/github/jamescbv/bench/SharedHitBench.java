package io.github.jamescbv.bench;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.store.redis.RedisProtections;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.peers.RedisPeer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one cache hit costs through the protections (the whole of {@code GuardedVerifier.verify}
 * for a sender already verified), with the memory in this process, in Redis behind the
 * near-cache, and in Redis with the near-cache off (a round trip per hit): the price of sharing
 * on the hot path. One thread, one sender, so that the near-cache, when on, always holds it;
 * Redis is a local redis-server on loopback, the best case of a round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class SharedHitBench {
    @Param({"memory", "redis-near", "redis"})
    public String store;

    private RedisPeer redis;
    private Protections protections;
    private GuardedVerifier verifier;
    private FakeVerifier engine;
    private CallbackTarget target;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        CacheSettings cache = CacheSettings.DEFAULTS;
        LimitSettings limits = LimitSettings.DEFAULTS;
        if ("memory".equals(store)) {
            protections = InMemoryProtections.start(cache, limits);
        } else {
            redis = RedisPeer.builder("bench-hit").start();
            int near = "redis-near".equals(store) ? RedisSettings.DEFAULT_NEAR_CACHE_ENTRIES : 0;
            protections = RedisProtections.start(cache, limits, new RedisSettings(redis.uri(),
                RedisSettings.DEFAULT_KEY_PREFIX, Duration.ofSeconds(2), near, RedisSettings.DEFAULT_NEAR_CACHE_TIME),
                Duration.ofMinutes(2));
        }
        engine = new FakeVerifier();
        verifier = protections.guard(engine, Duration.ofSeconds(5));
        target = CallbackTarget.viaMx(EmailAddress.parse("alice@remote.example"));
        hit(); // the one callback; every measured call is a cache hit
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        protections.close();
        if (redis != null) {
            redis.close();
        }
        if (engine.asked().size() != 1) {
            throw new IllegalStateException("the engine was asked " + engine.asked().size()
                + " times, expected once: some calls were not cache hits");
        }
    }

    @Benchmark
    public Verdict hit() throws Exception {
        return verifier.verify(target, Optional.empty(), DialogListener.NONE).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
