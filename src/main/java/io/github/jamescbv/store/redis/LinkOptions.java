package io.github.jamescbv.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a {@link RedisLink}'s lettuce client behaves, standalone or cluster alike: no command, no
 * connection attempt outlasts the link's timeout, and while a node is disconnected its commands
 * are refused at once instead of piling up in lettuce's buffer (the caller falls back now, not
 * after the timeout). A cluster client also follows the cluster's changes of shape.
 */
final class LinkOptions {
    /**
     * A topology refresh at least this often, so that a node added or a failover that sent no
     * redirect our way is still seen within a minute.
     */
    static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

    /**
     * The longest pause between two reconnection attempts. lettuce's default backs off to 30 s,
     * so that after a long outage a node would stay alone up to half a minute after Redis is back;
     * a node asks whether its store answers every 5 s (FailoverBounds), and so should its client.
     */
    static final Duration LONGEST_RECONNECT_PAUSE = Duration.ofSeconds(5);

    private LinkOptions() {
    }

    /** The client's threads and timers, with the reconnection pauses above; the link shuts them down. */
    static ClientResources resources() {
        return ClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(100), LONGEST_RECONNECT_PAUSE, 2, TimeUnit.MILLISECONDS))
            .build();
    }

    static RedisURI uri(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        return uri;
    }

    static ClientOptions standalone(Duration timeout) {
        return bounded(ClientOptions.builder(), timeout).build();
    }

    /**
     * Besides the periodic refresh, lettuce refreshes the topology as soon as a reply says it
     * changed (MOVED, ASK, a node that keeps failing to reconnect, a slot no node serves), at
     * most once per 30 seconds (lettuce's default), so that a storm of redirects costs one refresh.
     */
    static ClusterClientOptions cluster(Duration timeout) {
        ClusterClientOptions.Builder options = ClusterClientOptions.builder()
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                .enableAllAdaptiveRefreshTriggers()
                .build());
        bounded(options, timeout);
        return options.build();
    }

    private static <B extends ClientOptions.Builder> B bounded(B options, Duration timeout) {
        options.timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        return options;
    }
}
