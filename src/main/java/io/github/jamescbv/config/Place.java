package io.github.jamescbv.config;

/** Where a setting can be given: each front end reads only the settings of its own place. */
public enum Place {
    /** An element of the handler's {@code <handler>} in {@code smtpserver.xml}. */
    HANDLER,
    /** An init parameter of the mailet in {@code mailetcontainer.xml}. */
    MAILET,
    /** An option of {@code cbv verify}. */
    COMMAND
}
