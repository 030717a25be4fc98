package io.github.jamescbv.smtp;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a probe connection goes and how it presents itself: the address and port, the MX host
 * name it was found under, our EHLO/HELO name, the TLS policy and whether commands may be
 * pipelined (RFC 2920) when the server offers it. Two connections with equal
 * routes are interchangeable once greeted, so this is the key a kept connection would be found
 * under; anything that changes what the server has seen of us belongs in it.
 *
 * <p>The MX host name is part of the key although the server only sees the address: a verdict
 * names the host it came from, and a TLS peer check (a policy stricter than {@code may}) is
 * made against that name, so a connection opened for one name must not answer for another
 * name of the same address.
 */
public final class Route {
    private final InetSocketAddress address;
    private final String mxHost;
    /** {@link #mxHost} as compared: DNS names are equal whatever their case. */
    private final String mxHostKey;
    private final String heloName;
    private final TlsPolicy tls;
    private final boolean pipelining;

    /**
     * A clear-text route.
     *
     * @param address  the IP address and port to connect to (already resolved, already allowed)
     * @param mxHost   the host name, for logs and the verdict
     * @param heloName our name in EHLO/HELO
     */
    public Route(InetSocketAddress address, String mxHost, String heloName) {
        this(address, mxHost, heloName, TlsPolicy.NONE);
    }

    /** A route that pipelines when the server offers it (the default; {@link #withPipelining} turns it off). */
    public Route(InetSocketAddress address, String mxHost, String heloName, TlsPolicy tls) {
        this(address, mxHost, heloName, tls, true);
    }

    private Route(InetSocketAddress address, String mxHost, String heloName, TlsPolicy tls, boolean pipelining) {
        this.address = Objects.requireNonNull(address, "address");
        this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
        this.mxHostKey = mxHost.toLowerCase(Locale.ROOT);
        this.heloName = Objects.requireNonNull(heloName, "heloName");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.pipelining = pipelining;
    }

    public InetSocketAddress address() { return address; }
    public String mxHost() { return mxHost; }
    public String heloName() { return heloName; }
    public TlsPolicy tls() { return tls; }

    /** Whether MAIL FROM and RCPT TO go out together when the server announces PIPELINING (RFC 2920). */
    public boolean pipelining() { return pipelining; }

    /** The same route under another TLS policy: the clear-text retry of a failed STARTTLS. */
    public Route withTls(TlsPolicy policy) {
        return new Route(address, mxHost, heloName, policy, pipelining);
    }

    /** The same route, pipelining when offered or never (the operator's off switch). */
    public Route withPipelining(boolean on) {
        return new Route(address, mxHost, heloName, tls, on);
    }

    // The HELO name is compared exactly: it is what the server saw.
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Route)) {
            return false;
        }
        Route other = (Route) o;
        return address.equals(other.address) && mxHostKey.equals(other.mxHostKey)
            && heloName.equals(other.heloName) && tls == other.tls
            && pipelining == other.pipelining;
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, mxHostKey, heloName, tls, pipelining);
    }

    @Override
    public String toString() {
        return address + " (" + mxHost + ") as " + heloName + ", tls " + tls + (pipelining ? "" : ", no pipelining");
    }
}
