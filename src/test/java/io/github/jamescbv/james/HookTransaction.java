package io.github.jamescbv.james;

import com.codahale.metrics.MetricRegistry;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.mail.MessagingException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

/**
 * One SMTP transaction's calls into {@link CallbackVerifyHandler}, as James 3.8.1 makes them
 * for the benchmark's transactions (phase rcptto, action record), with every sender already in
 * the verdict cache: for {@code bench.HookPathBench}, which measures what the hook itself
 * costs per transaction without James around it. The handler is the real one, with James's
 * Dropwizard metrics and whatever logging the JVM is configured with; only the engine is a
 * stand-in, and it is asked once per pool sender while the cache is filled, never after.
 */
public final class HookTransaction {
    /** The DATA lines of JamesBench's message, the final "." last. */
    private static final byte[][] DATA = lines("From: <pooled-1@fast.bench>", "To: <rcpt@local.test>",
        "Subject: pooled-1@fast.bench", "Message-ID: <pooled-1.fast.bench@client.bench>", "",
        "A small benchmark message.", ".");
    /** Replies James writes in one transaction and passes to the result handlers: EHLO, MAIL, RCPT, DATA, ".", QUIT. */
    private static final Response[] REPLIES = {new SMTPResponse("250", "local.test Hello"), new SMTPResponse("250", "2.1.0 Sender OK"),
        new SMTPResponse("250", "2.1.5 Recipient OK"), new SMTPResponse("354", "Ok Send data ending with <CRLF>.<CRLF>"),
        new SMTPResponse("250", "2.6.0 Message received"), new SMTPResponse("221", "2.0.0 Bye")};
    private static final MailAddress RECIPIENT = address("rcpt@local.test");
    private static final LineHandler<SMTPSession> NEXT = (session, line) -> null;

    private final CbvRuntime runtime;
    private final CallbackVerifyHandler handler;
    private final MaybeSender[] senders;
    private final FakeSession session = new FakeSession().from(new InetSocketAddress("127.0.0.1", 40000));
    private final Mail mail;
    private final AtomicLong engineCalls = new AtomicLong();
    private int next;

    private HookTransaction(int poolSize) throws Exception {
        Verdict pass = Verdict.builder(Result.PASS, Stage.RCPT).code(250).enhancedCode("2.1.5").text("2.1.5 Ok")
            .mxHost("mx.fast.bench").ip("127.0.0.1").domain("fast.bench").elapsed(Duration.ofMillis(2)).build();
        this.runtime = new CbvRuntime(settings -> new FakeVerifier().answering(a -> {
            engineCalls.incrementAndGet();
            return CompletableFuture.completedFuture(pass);
        }));
        this.handler = new CallbackVerifyHandler(new CallbackVerifyHandlerTest.FakeDomains(false),
            new DropWizardMetricFactory(new MetricRegistry()), runtime);
        // Limits out of the way while the cache is filled, as in JamesBench's smtpserver.xml: with the
        // defaults, one client would be refused after 20 new callbacks a minute, and refusals are not cached.
        LimitSettings limits = new LimitSettings(1000, 1000, 1000, 100_000_000, 100_000_000);
        handler.init(new HandlerConfig(Phase.RCPTTO, "smtp_cbv_result", Duration.ofSeconds(30), false,
            VerifierSettings.builder().build(), CacheSettings.DEFAULTS, limits, Exemptions.NONE),
            ChannelAccess.unavailable("no Netty channel outside James"));
        this.senders = new MaybeSender[poolSize];
        for (int i = 0; i < poolSize; i++) {
            senders[i] = MaybeSender.of(address("pooled-" + i + "@fast.bench"));
        }
        this.mail = MailImpl.builder().name("bench").sender("pooled-1@fast.bench").addRecipient(RECIPIENT).build();
        for (int i = 0; i < poolSize; i++) {
            run(); // fills the cache: one engine call per pool sender
        }
    }

    /** A handler whose cache holds a pass for each of {@code poolSize} senders. */
    public static HookTransaction warm(int poolSize) throws Exception {
        return new HookTransaction(poolSize);
    }

    /** One transaction, the next pool sender; returns the mail, whose attributes the hook has just set. */
    public Mail run() throws MessagingException {
        MaybeSender sender = senders[next];
        next = (next + 1) % senders.length;
        handler.doMail(session, sender);
        handler.onCommand(session, new BaseRequest("RCPT", "TO:<rcpt@local.test>"));
        handler.doRcpt(session, sender, RECIPIENT, Map.of());
        for (byte[] line : DATA) {
            handler.onLine(session, line, NEXT);
        }
        handler.onMessage(session, mail);
        for (Response reply : REPLIES) {
            handler.onResponse(session, reply, 0, handler);
        }
        session.resetState(); // as James does after the message
        return mail;
    }

    /** How many times the engine was asked: the pool's size, if every transaction after the fill was a cache hit. */
    public long engineCalls() {
        return engineCalls.get();
    }

    /** Stops the runtime's limits timer, as James does when it stops. */
    public void close() {
        runtime.close();
    }

    private static byte[][] lines(String... lines) {
        byte[][] bytes = new byte[lines.length][];
        for (int i = 0; i < lines.length; i++) {
            bytes[i] = (lines[i] + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    private static MailAddress address(String a) {
        try {
            return new MailAddress(a);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(a, e);
        }
    }
}
