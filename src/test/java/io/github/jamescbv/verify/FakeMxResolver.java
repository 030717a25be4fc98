package io.github.jamescbv.verify;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.dns.MxHost;
import io.github.jamescbv.dns.MxResolution;
import io.github.jamescbv.dns.MxResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A resolver answering from a table, for unit tests of the verifier's logic. */
final class FakeMxResolver implements MxResolver {
    private final Map<String, MxResolution> answers = new ConcurrentHashMap<>();
    private final java.util.Set<String> hanging = ConcurrentHashMap.newKeySet();
    final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeMxResolver found(String domain, String... hostAndIps) {
        List<MxHost> hosts = new ArrayList<>();
        for (String spec : hostAndIps) {
            String[] parts = spec.split("=");
            List<InetAddress> ips = new ArrayList<>();
            if (parts.length > 1) {
                for (String ip : parts[1].split(",")) {
                    ips.add(ip(ip));
                }
            }
            hosts.add(new MxHost(parts[0], hosts.size() * 10, ips));
        }
        answers.put(domain, new MxResolution(MxResolution.Status.FOUND, hosts, false, "", List.of(domain + " MX ...")));
        return this;
    }

    FakeMxResolver fails(String domain, MxResolution.Status status) {
        answers.put(domain, MxResolution.failure(status, status + " for " + domain, List.of()));
        return this;
    }

    FakeMxResolver tempfails(String domain, DnsFailure cause) {
        answers.put(domain, MxResolution.tempfail(cause, "MX lookup for " + domain + " failed: " + cause.word(), List.of()));
        return this;
    }

    @Override
    public CompletionStage<MxResolution> resolveMx(String domain) {
        asked.add("MX " + domain);
        return answer(domain);
    }

    @Override
    public CompletionStage<MxResolution> resolveHost(String host) {
        asked.add("HOST " + host);
        return answer(host);
    }

    /** Lookups of {@code domain} never complete. */
    FakeMxResolver hangs(String domain) {
        hanging.add(domain);
        return this;
    }

    private CompletionStage<MxResolution> answer(String name) {
        if (hanging.contains(name)) {
            return new CompletableFuture<>();
        }
        MxResolution r = answers.get(name);
        if (r == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no fake answer for " + name));
        }
        return CompletableFuture.completedFuture(r);
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
