package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Stage;

/**
 * Where a probe connection's dialog is. The steps that still decide the outcome carry the
 * {@link Stage} an outcome reports (EHLO and HELO both as {@link Stage#HELO}); the others come
 * after the decision.
 */
enum DialogStep {
    CONNECTING(Stage.CONNECT), GREETING(Stage.GREETING), EHLO(Stage.HELO), HELO(Stage.HELO),
    MAIL(Stage.MAIL), RCPT(Stage.RCPT),
    /** Decided (the address was accepted); a follow-up transaction: RSET, then its MAIL FROM and RCPT TO. */
    RSET(null), FOLLOW_MAIL(null), FOLLOW_RCPT(null),
    /** Decided; QUIT sent, waiting for the 221 before closing. */
    QUIT(null),
    /** Decided; closing or closed. */
    DONE(null);

    final Stage stage;

    DialogStep(Stage stage) {
        this.stage = stage;
    }

    boolean undecided() {
        return stage != null;
    }

    boolean followUp() {
        return this == RSET || this == FOLLOW_MAIL || this == FOLLOW_RCPT;
    }

    boolean awaitsReply() {
        return undecided() || followUp();
    }
}
