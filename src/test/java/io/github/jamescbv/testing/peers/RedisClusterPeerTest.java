package io.github.jamescbv.testing.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Redis Cluster fixture itself: three masters that share the slots, and all of them stop. */
@RequiresPeers(Need.REDIS_CLUSTER)
class RedisClusterPeerTest {

    @Test
    void threeMastersServeEverySlotAndAllStop() {
        List<Long> pids;
        try (RedisClusterPeer cluster = RedisClusterPeer.start("fixture-redis-cluster", 3)) {
            List<RedisPeer> masters = cluster.masters();
            pids = masters.stream().map(RedisPeer::pid).collect(Collectors.toList());
            assertThat(masters.stream().map(RedisPeer::port).distinct()).hasSize(3);
            assertThat(cluster.uri()).isEqualTo(masters.stream().map(RedisPeer::uri).collect(Collectors.joining(",")));
            for (RedisPeer m : masters) {
                String info = m.bulk("CLUSTER INFO");
                assertThat(RedisPeer.field(info, "cluster_state")).as("port " + m.port()).contains("ok");
                assertThat(RedisPeer.field(info, "cluster_slots_assigned")).contains("16384");
                assertThat(RedisPeer.field(info, "cluster_known_nodes")).contains("3");
            }
            assertThat(cluster.keySlot("cbv:a:{example.com}:x")).as("a hash tag places the key")
                .isEqualTo(cluster.keySlot("example.com"));
            // Asked of the master that does not serve it, a key is answered with a redirect.
            assertThat(masters.stream().map(m -> m.command("GET example.com")).filter(r -> r.startsWith("-MOVED"))).hasSize(2);
        }
        assertThat(pids).as("every master after close").noneMatch(PeerProcesses::running);
    }
}
