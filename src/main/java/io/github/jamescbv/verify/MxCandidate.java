package io.github.jamescbv.verify;

import java.net.InetSocketAddress;

/** One address to try: the MX host's name (for the verdict) and where to connect. */
final class MxCandidate {
    final String host;
    final InetSocketAddress address;

    MxCandidate(String host, InetSocketAddress address) {
        this.host = host;
        this.address = address;
    }
}
