package io.github.jamescbv.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** One mail host: its name, MX preference (0 for implicit MX and direct hosts) and addresses. */
public final class MxHost {
    private final String name;
    private final int preference;
    private final List<InetAddress> addresses;

    public MxHost(String name, int preference, List<InetAddress> addresses) {
        this.name = Objects.requireNonNull(name, "name");
        this.preference = preference;
        this.addresses = List.copyOf(addresses);
    }

    /** Host name, lower case, without trailing dot. */
    public String name() {
        return name;
    }

    public int preference() {
        return preference;
    }

    /** A then AAAA addresses; empty when the name did not resolve. */
    public List<InetAddress> addresses() {
        return addresses;
    }

    @Override
    public String toString() {
        return preference + " " + name + " " + addresses;
    }
}
