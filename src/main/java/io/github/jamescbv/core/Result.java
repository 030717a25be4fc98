package io.github.jamescbv.core;

import java.util.Locale;

/** The three outcomes of a callback, named as Momentum's {@code smtp_cbv_result} names them. */
public enum Result {
    /** The sender's mail server did not permanently reject the address. */
    PASS,
    /** A permanent failure: the address, its domain or its mail servers said no. */
    ERROR,
    /** A temporary failure: nothing is known yet, try again later. */
    TRANSIENT;

    /** The lower-case word used in attributes, logs and the CLI. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
