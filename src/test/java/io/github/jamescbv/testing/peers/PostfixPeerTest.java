package io.github.jamescbv.testing.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Postfix fixture itself, against real Postfix: each option answers as documented, the
 * log is readable as sessions, and close() leaves no process and no listener behind.
 * Addresses 127.0.0.37-38 (the interop range, apart from the suite's own).
 */
@RequiresPeers({Need.ROOT, Need.POSTFIX, Need.OPENSSL})
class PostfixPeerTest {
    static final Duration READ = Duration.ofSeconds(20);
    static final Duration LOG = Duration.ofSeconds(10);

    @Test
    void knownMailboxesAreAcceptedUnknownOnes550AndTheLogShowsTheSessions() throws Exception {
        List<Long> processes;
        try (PostfixPeer mx = PostfixPeer.builder("fixture-mailboxes").listen("127.0.0.38")
            .mailboxes("alice@known.test", "bob@known.test").start()) {
            try (SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), READ)) {
                assertThat(c.reply()).startsWith("220 fixture-mailboxes.peer.test ESMTP Postfix");
                assertThat(c.command("EHLO client.test")).startsWith("250 ");
                assertThat(c.command("MAIL FROM:<>")).startsWith("250 2.1.0");
                assertThat(c.command("RCPT TO:<alice@known.test>")).startsWith("250 2.1.5");
                assertThat(c.command("RCPT TO:<carol@known.test>"))
                    .startsWith("550 5.1.1 <carol@known.test>: Recipient address rejected: User unknown in virtual mailbox table");
                assertThat(c.command("QUIT")).startsWith("221");
            }
            PostfixLog log = mx.awaitLog(l -> l.sessionsFrom("127.0.0.1").stream().anyMatch(s -> s.disconnect().isPresent()), LOG);
            PostfixLog.SmtpdSession session = log.sessionsFrom("127.0.0.1").get(0);
            assertThat(session.endedWithQuit()).isTrue();
            assertThat(session.problems()).isEmpty();
            assertThat(session.lines()).anyMatch(l -> l.contains("reject: RCPT") && l.contains("carol@known.test"));
            assertThat(log.warnings()).as("a clean configuration").isEmpty();
            assertThat(mx.postconf("virtual_mailbox_domains")).isEqualTo("known.test");

            processes = mx.processes();
            assertThat(processes).as("master and its daemons").hasSizeGreaterThan(1);
        }
        assertThat(processes).noneMatch(PeerProcesses::running);
        assertThat(connects(new InetSocketAddress("127.0.0.38", 25))).isFalse();
    }

    @Test
    void aLostConnectionIsAProblemOfItsSession() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-lost").listen("127.0.0.38").start()) {
            try (SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), READ)) {
                c.reply();
                c.command("EHLO client.test");
            } // no QUIT
            PostfixLog log = mx.awaitLog(l -> l.sessions().stream().anyMatch(s -> s.disconnect().isPresent()), LOG);
            PostfixLog.SmtpdSession session = log.sessions().get(0);
            assertThat(session.endedWithQuit()).isFalse();
            assertThat(session.problems()).anyMatch(l -> l.startsWith("lost connection after EHLO"));
        }
    }

    @Test
    void theNullSenderIsRefusedAtMailFrom() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-nullsender").listen("127.0.0.38")
            .mailboxes("alice@known.test").rejectNullSender().start();
             SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), READ)) {
            c.reply();
            c.command("EHLO client.test");
            assertThat(c.command("MAIL FROM:<>")).startsWith("554 5.7.1 <>: Sender address rejected: Null sender not accepted");
            assertThat(c.command("MAIL FROM:<someone@else.test>")).startsWith("250");
            assertThat(c.command("RCPT TO:<alice@known.test>")).startsWith("250");
        }
    }

    @Test
    void greylistingDefersTheFirstTryOfATripletAndPassesItsRetry() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-greylist").listen("127.0.0.38")
            .mailboxes("alice@known.test").greylist(Duration.ZERO).start()) {
            for (String expected : List.of("450 4.7.1 <alice@known.test>: Recipient address rejected: Greylisted", "250 2.1.5")) {
                try (SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), READ)) {
                    c.reply();
                    c.command("EHLO client.test");
                    c.command("MAIL FROM:<>");
                    assertThat(c.command("RCPT TO:<alice@known.test>")).startsWith(expected);
                }
            }
            assertThat(mx.greylist().orElseThrow().deferred()).isEqualTo(1);
        }
    }

    @Test
    void aTarpitHoldsTheReplyToRcptTo() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-tarpit").listen("127.0.0.38")
            .mailboxes("alice@known.test").tarpit(Duration.ofSeconds(5)).start();
             SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), Duration.ofSeconds(1))) {
            c.reply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<>");
            // Only a lower bound: the reply cannot come before the sleep, however slow the machine.
            assertThatThrownBy(() -> c.command("RCPT TO:<alice@known.test>")).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void listensOnSeveralAddressesAndTakesExtraMainAndMasterLines() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-extra").listen("127.0.0.38").listen("127.0.0.37", 2525)
            .masterCf("127.0.0.37:2526 inet n - n - - smtpd -o smtpd_helo_required=no")
            .mainCf("smtpd_helo_required", "yes")
            .file("note", "a file for a map\n")
            .start()) {
            try (SmtpTalk c = SmtpTalk.connect("127.0.0.37", 2525, READ)) {
                assertThat(c.reply()).startsWith("220 ");
                assertThat(c.command("MAIL FROM:<>")).as("main.cf: smtpd_helo_required").startsWith("503");
            }
            try (SmtpTalk c = SmtpTalk.connect("127.0.0.37", 2526, READ)) {
                assertThat(c.reply()).startsWith("220 ");
                assertThat(c.command("MAIL FROM:<>")).as("its master.cf line overrides it").startsWith("250");
            }
            assertThat(mx.endpoints()).hasSize(2);
            assertThat(mx.configDirectory().resolve("note")).hasContent("a file for a map");
        }
    }

    @Test
    void tlsEncryptRequiresStartTlsWithACertificateOfItsOwn() throws Exception {
        try (PostfixPeer mx = PostfixPeer.builder("fixture-tls").listen("127.0.0.38").mailboxes("alice@known.test")
            .tls("encrypt", "another-name.example").start()) {
            try (SmtpTalk c = SmtpTalk.connect(mx.address(), mx.port(), READ)) {
                c.reply();
                c.command("EHLO client.test");
                assertThat(c.command("MAIL FROM:<>")).startsWith("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(c.command("STARTTLS")).startsWith("220 2.0.0 Ready to start TLS");
            } // and gone, mid-handshake: smtpd says so
            assertThat(mx.postconf("smtpd_tls_security_level")).isEqualTo("encrypt");
            assertThat(mx.configDirectory().resolve(PeerCertificate.CERTIFICATE_FILE)).content()
                .startsWith("-----BEGIN CERTIFICATE-----");
            PostfixLog log = mx.awaitLog(l -> l.sessions().stream().anyMatch(s -> s.disconnect().isPresent()), LOG);
            assertThat(log.warnings()).as("the certificate and key were read").isEmpty();
            assertThat(log.sessions().get(0).problems()).isNotEmpty();
        }
    }

    @Test
    void aConfigurationPostfixRejectsFailsTheStartWithItsReason() {
        assertThatThrownBy(() -> PostfixPeer.builder("fixture-broken").listen("127.0.0.38")
            .mainCf("inet_interfaces", "192.0.2.77").start())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("did not start");
        assertThat(connects(new InetSocketAddress("127.0.0.38", 25))).isFalse();
    }

    @Test
    void aDirectoryClosedToOtherUsersIsFound(@TempDir Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // JUnit makes it rwx------
        Path closed = Files.createDirectories(tmp.resolve("closed/inner")).getParent();
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        assertThat(PeerDirectories.firstClosedAncestor(closed.resolve("inner/peer"))).contains(closed);
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(PeerDirectories.firstClosedAncestor(closed.resolve("inner/peer"))).isEmpty();
    }

    @Test
    void registeringWithTheDefaultConfigIsIdempotent() {
        assertThat(DefaultPostfixConfig.listed("/a/conf, /b/conf", "/b/conf")).isTrue();
        assertThat(DefaultPostfixConfig.listed("/a/conf /b/conf2", "/b/conf")).isFalse();
        assertThat(DefaultPostfixConfig.listed("", "/b/conf")).isFalse();
    }

    private static boolean connects(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
