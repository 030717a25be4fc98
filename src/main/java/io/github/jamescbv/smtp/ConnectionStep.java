package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Stage;

/**
 * Where a probe connection is. The opening steps carry the {@link Stage} an outcome decided there
 * reports (EHLO and HELO both as {@link Stage#HELO}); a transaction's commands carry their own.
 */
enum ConnectionStep {
    CONNECTING(Stage.CONNECT), GREETING(Stage.GREETING), EHLO(Stage.HELO), HELO(Stage.HELO),
    /** STARTTLS sent, waiting for its 220. */
    STARTTLS(Stage.TLS),
    /** The TLS handshake under way; EHLO follows inside TLS. */
    HANDSHAKE(Stage.TLS),
    /** Greeted; a command of a {@link Transaction} is in flight, its reply goes to the transaction. */
    TRANSACTION(null),
    /** Between probes: kept for the next one, nothing in flight; whatever the remote says now ends it. */
    IDLE(null),
    /** QUIT sent, waiting for the 221 before closing: nothing is learnt from here on. */
    QUIT(null),
    /** Closing or closed. */
    DONE(null);

    final Stage stage;

    ConnectionStep(Stage stage) {
        this.stage = stage;
    }

    /** Whether the connection is waiting for something its owner needs: a reply, or the connect itself. */
    boolean awaitsReply() {
        return this != IDLE && this != QUIT && this != DONE;
    }

    /** Whether TLS is being started: what goes wrong now is a failure of STARTTLS, not of the connection. */
    boolean startingTls() {
        return this == STARTTLS || this == HANDSHAKE;
    }
}
