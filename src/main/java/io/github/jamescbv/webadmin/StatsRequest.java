package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.Json;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.james.CbvCounts;
import io.github.jamescbv.james.CbvRuntime;
import io.github.jamescbv.james.OperatorAccess;
import io.github.jamescbv.policy.Limit;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.policy.SharedStoreHealth;
import io.github.jamescbv.smtp.ConnectionCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import spark.HaltException;
import spark.Request;
import spark.Response;

/**
 * {@code GET /cbv/stats}: what an operator asks first. The cache (entries, hits, misses, joins),
 * the callbacks this node runs and makes wait, the verdicts by result and the callbacks refused
 * by each limit, counted since James started; the probe connections open, idle and reused; and, with Redis, each shared store's health. The
 * counts are James's metrics read back ({@link CbvCounts}), so they agree with JMX and {@code /metrics}.
 */
final class StatsRequest {
    private final CbvRuntime runtime;
    private final CbvCounts counts;

    StatsRequest(CbvRuntime runtime, CbvCounts counts) {
        this.runtime = runtime;
        this.counts = counts;
    }

    Object answer(Request request, Response response) throws HaltException {
        OperatorAccess access = runtime.operators().orElseThrow(RouteErrors::noHandler);
        Protections protections = access.protections();
        long entries = StoreAnswer.await(protections.memory().size(), "the verdict memory");

        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("entries", entries);
        cache.put("hits", counts.hits());
        cache.put("misses", counts.misses());
        cache.put("joined", counts.joined());
        Map<String, Object> callbacks = new LinkedHashMap<>();
        callbacks.put("inFlight", protections.capacity().inFlight());
        callbacks.put("queued", protections.capacity().queued());
        callbacks.put("waitingForDomain", protections.budgets().waiting());
        Map<String, Object> verdicts = new LinkedHashMap<>();
        for (Result r : Result.values()) {
            verdicts.put(r.word(), counts.verdicts(r));
        }
        Map<String, Object> refused = new LinkedHashMap<>();
        for (Limit limit : Limit.values()) {
            refused.put(limit.word(), counts.refused(limit));
        }
        ConnectionCounts probes = runtime.connections();
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("open", probes.openConnections());
        connections.put("idle", probes.idleConnections());
        connections.put("reused", probes.reusedConnections());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("cache", cache);
        stats.put("callbacks", callbacks);
        stats.put("verdicts", verdicts);
        stats.put("refused", refused);
        stats.put("connections", connections);
        stats.put("sharedStores", sharedStores(protections));
        return Json.object(stats);
    }

    private static List<Object> sharedStores(Protections protections) {
        List<Object> stores = new ArrayList<>();
        for (SharedStoreHealth store : protections.sharedStores()) {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("holds", store.holds());
            health.put("shared", store.shared());
            health.put("fallbacks", store.fallbacks());
            health.put("recoveries", store.recoveries());
            stores.add(health);
        }
        return stores;
    }
}
