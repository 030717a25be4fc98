package io.github.jamescbv.testing.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Redis fixture itself: it answers on a port of its own, keeps nothing unless asked, and stops. */
@RequiresPeers(Need.REDIS)
class RedisPeerTest {

    @Test
    void answersOnALoopbackPortOfItsOwnAndStops() {
        long pid;
        try (RedisPeer redis = RedisPeer.builder("fixture-redis").start();
             RedisPeer other = RedisPeer.builder("fixture-redis-2").start()) {
            pid = redis.pid();
            assertThat(redis.port()).isNotEqualTo(other.port());
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.command("SET k v")).isEqualTo("+OK");
            assertThat(other.command("EXISTS k")).as("two servers, two memories").isEqualTo(":0");
            assertThat(redis.command("CONFIG GET appendonly")).isEqualTo("*2");
        }
        assertThat(PeerProcesses.running(pid)).as("redis-server after close").isFalse();
    }

    @Test
    void withoutPersistenceEveryStartIsEmpty() {
        try (RedisPeer redis = RedisPeer.builder("fixture-redis").start()) {
            redis.command("SET k v");
        }
        try (RedisPeer redis = RedisPeer.builder("fixture-redis").start()) {
            assertThat(redis.command("DBSIZE")).isEqualTo(":0");
        }
    }

    @Test
    void aPersistentServerFindsWhatItHeldAfterARestart() {
        try (RedisPeer redis = RedisPeer.builder("fixture-redis-aof").persistent().start()) {
            redis.command("FLUSHALL");
            redis.command("SET k v");
        }
        try (RedisPeer redis = RedisPeer.builder("fixture-redis-aof").persistent().start()) {
            assertThat(redis.command("EXISTS k")).isEqualTo(":1");
        }
    }
}
