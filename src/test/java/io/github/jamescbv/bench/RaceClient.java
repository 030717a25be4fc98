package io.github.jamescbv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One try of the race's client at one sender, the same for Postfix and for James: connect,
 * 220, EHLO, MAIL FROM:&lt;sender&gt;, RCPT TO:&lt;local user&gt;; then, when the RCPT is
 * accepted, DATA and a small message (or RSET), and QUIT in every case. The reply to RCPT TO is
 * the answer about the sender: both systems refuse an unverified sender there.
 */
final class RaceClient {
    /** The same bytes to both systems: headers a real client would send, and a short body. */
    private static final String MESSAGE = "From: <%s>\r\nTo: <%s>\r\nSubject: race\r\n"
        + "Message-ID: <%s@client.race.test>\r\n\r\nOne message of the race against Postfix.\r\n.\r\n";

    private final InetSocketAddress server;
    private final String recipient;
    private final boolean sendData;

    /** @param sendData DATA and a message after an accepted RCPT; else RSET */
    RaceClient(InetSocketAddress server, String recipient, boolean sendData) {
        this.server = server;
        this.recipient = recipient;
        this.sendData = sendData;
    }

    /** The reply to RCPT TO, after the rest of the transaction; an exception when the server misbehaved. */
    Reply attempt(String sender, int attempt) throws IOException {
        try (BenchSmtpClient c = BenchSmtpClient.connect(server)) {
            c.expect(220, "connect");
            c.command("EHLO client.race.test", 250);
            c.command("MAIL FROM:<" + sender + ">", 250);
            int code = c.ask("RCPT TO:<" + recipient + ">");
            Reply reply = new Reply(code, c.lastLine());
            if (reply.accepted()) {
                if (sendData) {
                    c.command("DATA", 354);
                    c.write(String.format(MESSAGE, sender, recipient, sender.replace('@', '.') + "." + attempt));
                    c.expect(250, "end of data");
                } else {
                    c.command("RSET", 250);
                }
            }
            c.command("QUIT", 221);
            // The server closes first: TIME_WAIT stays on its side, not on the client's ports.
            c.awaitServerClose();
            return reply;
        }
    }

    /** A reply's code and its last line. */
    static final class Reply {
        final int code;
        final String text;

        Reply(int code, String text) {
            this.code = code;
            this.text = text;
        }

        boolean accepted() {
            return code / 100 == 2;
        }

        /** 2xx or 5xx: the client stops trying. */
        boolean isFinal() {
            return code / 100 == 2 || code / 100 == 5;
        }
    }
}
