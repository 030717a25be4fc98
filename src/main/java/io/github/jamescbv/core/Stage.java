package io.github.jamescbv.core;

import java.util.Locale;

/** Where in the verification the verdict was decided. */
public enum Stage {
    DNS, CONNECT, GREETING, HELO, MAIL, RCPT, POLICY, INTERNAL;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
