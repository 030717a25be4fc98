package io.github.jamescbv.dns;

import io.github.jamescbv.core.DnsFailure;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** The A and AAAA lookups of one host name, asked in parallel, and what they add up to. */
final class HostAddresses {
    private final LookupOutcome a;
    private final LookupOutcome aaaa;

    private HostAddresses(LookupOutcome a, LookupOutcome aaaa) {
        this.a = a;
        this.aaaa = aaaa;
    }

    /** Both lookups at once; completes on the lookups' threads, never exceptionally. */
    static CompletableFuture<HostAddresses> resolve(Lookups lookups, Name host) {
        return lookups.lookup(host, Type.A).thenCombine(lookups.lookup(host, Type.AAAA), HostAddresses::new);
    }

    LookupOutcome a() {
        return a;
    }

    LookupOutcome aaaa() {
        return aaaa;
    }

    /** IPv4 first, then IPv6, each in the order DNS gave them. */
    List<InetAddress> addresses() {
        List<InetAddress> out = new ArrayList<>();
        addAll(a, out);
        addAll(aaaa, out);
        return out;
    }

    /** True when a lookup failed temporarily (so "no address" may not be the last word). */
    boolean failed() {
        return a.kind() == LookupOutcome.Kind.FAILED || aaaa.kind() == LookupOutcome.Kind.FAILED;
    }

    /** True when both lookups said the name does not exist. */
    boolean nonexistent() {
        return a.kind() == LookupOutcome.Kind.NXDOMAIN && aaaa.kind() == LookupOutcome.Kind.NXDOMAIN;
    }

    /** "A lookup for mx.example.com failed: SERVFAIL", for the first failed lookup; null if none failed. Not sanitised. */
    String failureText() {
        LookupOutcome f = firstFailed();
        return f == null ? null : f.what() + " failed: " + f.failure();
    }

    /** Whose trouble the failure of {@link #failureText()} may be; null if none failed. */
    DnsFailure failureCause() {
        LookupOutcome f = firstFailed();
        return f == null ? null : f.cause();
    }

    private LookupOutcome firstFailed() {
        return a.kind() == LookupOutcome.Kind.FAILED ? a : aaaa.kind() == LookupOutcome.Kind.FAILED ? aaaa : null;
    }

    private static void addAll(LookupOutcome o, List<InetAddress> out) {
        for (Record r : o.records()) {
            byte[] raw = r instanceof ARecord ? ((ARecord) r).getAddress().getAddress()
                : r instanceof AAAARecord ? ((AAAARecord) r).getAddress().getAddress() : null;
            if (raw == null) {
                continue;
            }
            try {
                // Without a host name: the record's owner may be a CNAME target, which would mislead in logs.
                out.add(InetAddress.getByAddress(raw));
            } catch (UnknownHostException e) {
                // impossible for 4 or 16 bytes; skip the record rather than fail the host
            }
        }
    }
}
