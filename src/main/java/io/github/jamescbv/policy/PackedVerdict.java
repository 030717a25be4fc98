package io.github.jamescbv.policy;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A verdict as the cache keeps it: one byte array instead of a {@link Verdict}, its
 * {@link Duration}, up to two {@link Fact}s and up to seven strings, each with an object header
 * of its own. A typical cached pass takes about 120 bytes this way against about 330 as objects,
 * which is what keeps 100,000 entries under 50 MB (docs/BENCHMARKS.md). The price is a new
 * {@code Verdict} and its strings on every hit (a few hundred bytes of short-lived garbage and
 * well under a microsecond, next to a whole SMTP transaction).
 *
 * <p>Every field round-trips exactly but one: {@link Verdict#waited()}, how long the request that
 * made the verdict waited for a slot, is not kept. It belongs to that request; a hit waited for
 * nothing, and reads 0. Strings are stored as ISO-8859-1 bytes: a verdict's strings
 * are cleaned to printable ASCII by {@link Verdict} and {@link Fact} before they get here, so
 * nothing is lost. The domain is usually the one the entry is looked up with, and is then not
 * stored at all: the caller passes it back in ({@code impliedDomain}).
 *
 * <p>Layout: result, stage and flag bytes, then variable-length numbers (code, elapsed seconds,
 * elapsed nanoseconds) and length-prefixed strings (enhanced code, text, MX host, IP address,
 * domain unless implied, each present fact's text, the TLS protocol and cipher when there was
 * one), then when it was remembered (epoch milliseconds). Each later addition came last, with a
 * flag bit unused before: arrays packed without it (by an earlier version, kept in a shared store)
 * read as "no session" and "made at an unknown time", and an earlier version reading a newer
 * array stops before it. A session in clear text costs a flag bit, no bytes.
 * Why DNS failed takes three more bits of the flags (none set: it did not), unread by earlier versions.
 *
 * <p>{@link Verdict#refreshing()} is not kept: it marks how a remembered verdict is served.
 */
public final class PackedVerdict {
    private static final Result[] RESULTS = Result.values();
    private static final Stage[] STAGES = Stage.values();
    private static final Fact.Value[] FACT_VALUES = Fact.Value.values();
    private static final DnsFailure[] DNS_FAILURES = DnsFailure.values();

    private static final int RESULT = 0;
    private static final int STAGE = 1;
    private static final int FLAGS = 2;
    private static final int ACCEPT_ALL = 3;
    private static final int POSTMASTER = 4;
    private static final int FIXED = 5;

    private static final int CACHED = 1;
    private static final int DOMAIN_IMPLIED = 2;
    /** The deciding session stayed in clear text ({@link Verdict#NO_TLS}). */
    private static final int TLS_NONE = 4;
    /** The deciding session was in TLS: its description is the last string. */
    private static final int TLS_NAMED = 8;
    /** Bits 4 to 6 of the flags: 0 when DNS did not fail, else the {@link DnsFailure}'s ordinal plus one. */
    private static final int DNS_FAILURE_SHIFT = 4;
    private static final int DNS_FAILURE_MASK = 0x70;
    /** Bit 7 of the flags: the time the verdict was remembered follows everything else. */
    private static final int MADE_AT = 0x80;
    /** In a fact byte: 0 means no fact; else this bit, the remembered bit and the value's ordinal. */
    private static final int FACT_PRESENT = 0x80;
    private static final int FACT_REMEMBERED = 0x40;

    private PackedVerdict() {
    }

    /** {@code verdict} in packed form; its domain is left out when it equals {@code impliedDomain}. */
    public static byte[] pack(Verdict verdict, String impliedDomain) {
        return pack(verdict, impliedDomain, 0);
    }

    /**
     * As above, remembered at {@code madeAtMillis} (epoch milliseconds; 0: unknown, not stored),
     * which {@link #madeAtMillis} reads back: how old a remembered verdict is.
     */
    public static byte[] pack(Verdict verdict, String impliedDomain, long madeAtMillis) {
        boolean implied = verdict.domain().equals(impliedDomain);
        Fact acceptAll = verdict.acceptAll().orElse(null);
        Fact postmaster = verdict.postmasterRejected().orElse(null);
        Writer w = new Writer();
        w.bytes[RESULT] = (byte) verdict.result().ordinal();
        w.bytes[STAGE] = (byte) verdict.stage().ordinal();
        w.bytes[FLAGS] = (byte) ((verdict.cached() ? CACHED : 0) | (implied ? DOMAIN_IMPLIED : 0) | tlsFlag(verdict.tls())
            | dnsFailureBits(verdict) | (madeAtMillis != 0 ? MADE_AT : 0));
        w.bytes[ACCEPT_ALL] = factByte(acceptAll);
        w.bytes[POSTMASTER] = factByte(postmaster);
        w.size = FIXED;
        w.number(verdict.code());
        w.number(verdict.elapsed().getSeconds());
        w.number(verdict.elapsed().getNano());
        w.text(verdict.enhancedCode());
        w.text(verdict.text());
        w.text(verdict.mxHost());
        w.text(verdict.ip());
        if (!implied) {
            w.text(verdict.domain());
        }
        if (acceptAll != null) {
            w.text(acceptAll.text());
        }
        if (postmaster != null) {
            w.text(postmaster.text());
        }
        if (tlsFlag(verdict.tls()) == TLS_NAMED) {
            w.text(verdict.tls());
        }
        if (madeAtMillis != 0) {
            w.number(madeAtMillis);
        }
        return w.toArray();
    }

    /** The verdict {@link #pack} was given; {@code impliedDomain} must be the one given to it. */
    public static Verdict unpack(byte[] packed, String impliedDomain) {
        Reader r = new Reader(packed);
        int flags = packed[FLAGS];
        Verdict.Builder b = Verdict.builder(result(packed), STAGES[packed[STAGE]])
            .cached((flags & CACHED) != 0)
            .code((int) r.number())
            .elapsed(Duration.ofSeconds(r.number(), r.number()))
            .enhancedCode(r.text())
            .text(r.text())
            .mxHost(r.text())
            .ip(r.text())
            .domain((flags & DOMAIN_IMPLIED) != 0 ? impliedDomain : r.text());
        int acceptAll = packed[ACCEPT_ALL];
        int postmaster = packed[POSTMASTER];
        b.acceptAll(acceptAll == 0 ? null : fact(acceptAll, r.text()));
        b.postmasterRejected(postmaster == 0 ? null : fact(postmaster, r.text()));
        b.tls((flags & TLS_NAMED) != 0 ? r.text() : (flags & TLS_NONE) != 0 ? Verdict.NO_TLS : "");
        int dnsFailure = (flags & DNS_FAILURE_MASK) >> DNS_FAILURE_SHIFT;
        b.dnsFailure(dnsFailure == 0 ? null : DNS_FAILURES[dnsFailure - 1]);
        return b.build();
    }

    /**
     * When the verdict was remembered (epoch milliseconds), without unpacking it; 0 when unknown
     * (packed without it, by an earlier version or with 0).
     */
    public static long madeAtMillis(byte[] packed) {
        int flags = packed[FLAGS];
        if ((flags & MADE_AT) == 0) {
            return 0;
        }
        Reader r = new Reader(packed);
        r.number(); // code
        r.number(); // elapsed seconds
        r.number(); // elapsed nanoseconds
        int texts = 4 + ((flags & DOMAIN_IMPLIED) != 0 ? 0 : 1) + (packed[ACCEPT_ALL] != 0 ? 1 : 0)
            + (packed[POSTMASTER] != 0 ? 1 : 0) + ((flags & TLS_NAMED) != 0 ? 1 : 0);
        for (int i = 0; i < texts; i++) {
            r.skipText();
        }
        return r.number();
    }

    /** The result alone, without unpacking the rest. */
    public static Result result(byte[] packed) {
        return RESULTS[packed[RESULT]];
    }

    private static int tlsFlag(String tls) {
        if (tls.isEmpty()) {
            return 0;
        }
        return Verdict.NO_TLS.equals(tls) ? TLS_NONE : TLS_NAMED;
    }

    private static int dnsFailureBits(Verdict verdict) {
        return verdict.dnsFailure().map(f -> (f.ordinal() + 1) << DNS_FAILURE_SHIFT).orElse(0);
    }

    private static byte factByte(Fact fact) {
        if (fact == null) {
            return 0;
        }
        return (byte) (FACT_PRESENT | (fact.remembered() ? FACT_REMEMBERED : 0) | fact.value().ordinal());
    }

    private static Fact fact(int packed, String text) {
        Fact.Value value = FACT_VALUES[packed & ~(FACT_PRESENT | FACT_REMEMBERED) & 0xff];
        if (value == Fact.Value.UNKNOWN) {
            return Fact.unknown(text); // never remembered: Fact has no such answer
        }
        boolean isTrue = value == Fact.Value.TRUE;
        return (packed & FACT_REMEMBERED) != 0 ? Fact.remembered(isTrue, text) : Fact.of(isTrue, text);
    }

    /** Appends to a growing array; exact size at the end. */
    private static final class Writer {
        byte[] bytes = new byte[160];
        int size;

        /**
         * A signed number in the fewest 7-bit groups, low group first, the top bit of each byte
         * saying another follows (zig-zag first, so that small negative numbers stay short too).
         */
        void number(long value) {
            long v = (value << 1) ^ (value >> 63);
            while ((v & ~0x7fL) != 0) {
                put((byte) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            put((byte) v);
        }

        void text(String s) {
            number(s.length());
            ensure(s.length());
            // Printable ASCII only (see the class comment): one byte per character.
            for (int i = 0; i < s.length(); i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
        }

        private void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int position = FIXED;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long number() {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = bytes[position++];
                v |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            return (v >>> 1) ^ -(v & 1);
        }

        void skipText() {
            int length = (int) number();
            position += length;
        }

        String text() {
            int length = (int) number();
            if (length == 0) {
                return "";
            }
            String s = new String(bytes, position, length, StandardCharsets.ISO_8859_1);
            position += length;
            return s;
        }
    }
}
