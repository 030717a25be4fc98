package io.github.jamescbv.dns;

import io.github.jamescbv.core.DnsFailure;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;
import org.xbill.DNS.lookup.InvalidZoneDataException;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.RedirectOverflowException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * What one lookup (one name, one type, CNAMEs followed) came to, in the four cases RFC 5321
 * section 5.1 tells apart: records, the name exists without such records, the name does not
 * exist, or no usable answer (which may heal).
 */
final class LookupOutcome {

    enum Kind {
        /** At least one record of the asked type. */
        RECORDS,
        /** NOERROR without records of the asked type (NODATA). */
        NODATA,
        /** The name (or the end of its CNAME chain) does not exist. */
        NXDOMAIN,
        /** SERVFAIL, timeout, network error, CNAME loop, garbage: temporary ({@link #cause()} says which). */
        FAILED
    }

    private final Name name;
    private final int type;
    private final Kind kind;
    private final List<Record> records;
    private final List<Name> aliases;
    private final String failure;
    private final DnsFailure cause;

    private LookupOutcome(Name name, int type, Kind kind, List<Record> records, List<Name> aliases, String failure,
                          DnsFailure cause) {
        this.name = name;
        this.type = type;
        this.kind = kind;
        this.records = List.copyOf(records);
        this.aliases = List.copyOf(aliases);
        this.failure = failure;
        this.cause = cause;
    }

    static LookupOutcome failed(Name name, int type, DnsFailure cause, String why) {
        return new LookupOutcome(name, type, Kind.FAILED, List.of(), List.of(), why, cause);
    }

    /** Classifies what dnsjava's LookupSession completed with. */
    static LookupOutcome of(Name name, int type, LookupResult result, Throwable error) {
        if (error != null) {
            return ofError(name, type, unwrap(error));
        }
        if (result == null) {
            return failed(name, type, DnsFailure.OTHER, "internal: lookup completed without a result");
        }
        List<Record> kept = new ArrayList<>();
        for (Record r : result.getRecords()) {
            // LookupSession hands back the whole answer section when there was no CNAME; keep
            // only what was asked for, so that stray records cannot pass for addresses.
            boolean rightOwner = !result.getAliases().isEmpty() || r.getName().equals(name);
            if (r.getType() == type && rightOwner) {
                kept.add(r);
            }
        }
        Kind kind = kept.isEmpty() ? Kind.NODATA : Kind.RECORDS;
        return new LookupOutcome(name, type, kind, kept, result.getAliases(), null, null);
    }

    private static LookupOutcome ofError(Name name, int type, Throwable e) {
        if (e instanceof NoSuchDomainException) {
            return new LookupOutcome(name, type, Kind.NXDOMAIN, List.of(), List.of(), null, null);
        }
        if (e instanceof NoSuchRRSetException) {
            return new LookupOutcome(name, type, Kind.NODATA, List.of(), List.of(), null, null);
        }
        return failed(name, type, cause(e), describe(e));
    }

    /** Whose trouble it may be: see {@link DnsFailure}. */
    private static DnsFailure cause(Throwable e) {
        if (e instanceof ServerFailedException) {
            return DnsFailure.SERVFAIL;
        }
        if (e instanceof SocketTimeoutException) {
            return DnsFailure.TIMEOUT;
        }
        if (e instanceof ResolverUnreachableException) {
            return DnsFailure.RESOLVER_UNREACHABLE;
        }
        return DnsFailure.OTHER;
    }

    private static String describe(Throwable e) {
        if (e instanceof ServerFailedException) {
            return "SERVFAIL";
        }
        if (e instanceof RedirectOverflowException) {
            return "CNAME chain too long or looping";
        }
        if (e instanceof InvalidZoneDataException) {
            return "invalid zone data: " + e.getMessage();
        }
        if (e instanceof LookupFailedException) {
            // e.g. "Unknown non-success error code REFUSED"
            return "server error: " + e.getMessage();
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout: " + e.getMessage();
        }
        if (e instanceof ResolverUnreachableException) {
            return "resolver unreachable: " + e.getMessage();
        }
        if (e instanceof WireParseException) {
            return "malformed answer: " + e.getMessage();
        }
        if (e instanceof IOException) {
            return "network error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return "internal: " + e;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    Name name() {
        return name;
    }

    int type() {
        return type;
    }

    Kind kind() {
        return kind;
    }

    /** Records of the asked type; empty unless {@link Kind#RECORDS}. */
    List<Record> records() {
        return records;
    }

    /** Names that were CNAME (or DNAME) aliases on the way, in order. */
    List<Name> aliases() {
        return aliases;
    }

    /** Why it failed, for {@link Kind#FAILED}; null otherwise. Not yet sanitised. */
    String failure() {
        return failure;
    }

    /** Whose trouble the failure may be, for {@link Kind#FAILED}; null otherwise. */
    DnsFailure cause() {
        return cause;
    }

    /** "A mx1.example.com" */
    String what() {
        return Type.string(type) + " lookup for " + name.toString(true);
    }
}
