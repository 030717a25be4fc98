package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import io.github.jamescbv.verify.OutcomeClassifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.core.ConditionFactory;

/**
 * The probe against a real socket server whose every answer (greeting, EHLO, HELO, MAIL, RCPT,
 * QUIT) is generated: good replies whole or in pieces, garbage, mixed codes, over-long lines,
 * too many lines, replies cut off, closes, resets, silence. A small model of the dialog says
 * what each generated server must produce, and the probe must produce exactly that: the stage,
 * the reply code or the kind of failure, and the commands written. Never an exception, never an
 * internal failure, and every outcome classifies as pass, error or transient.
 */
class NettyProbeClientFuzzTest {
    /** Short, so that silent servers cost little; generous enough for a loaded CI machine's loopback. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static NettyProbeClient client;
    private static ScriptedSmtpServer server;

    @BeforeContainer
    static void start() {
        client = new NettyProbeClient(2);
        server = ScriptedSmtpServer.start(SmtpScript.standard());
    }

    @AfterContainer
    static void stop() {
        try {
            // whatever was generated, no connection is left open on either side
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.openConnections()).isZero();
                assertThat(client.probesInFlight()).isZero();
                assertThat(server.openConnectionCount()).isZero();
            });
        } finally {
            client.close();
            server.close();
        }
    }

    @Property(tries = 120)
    void theProbeEndsAsTheModelSaysWhateverTheServerSends(@ForAll("dialogs") Dialog dialog) throws Exception {
        server.script(dialog.script());
        int index = server.connectionCount();

        ProbeOutcome outcome = client.probe(TestProbeRequest.to(server).commandTimeout(COMMAND_TIMEOUT)
            .total(Duration.ofSeconds(30)).build()).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Expected expected = dialog.expected();
        assertThat(describe(outcome)).as("%s", dialog).isIn(expected.outcomes);
        assertThat(outcome.detail()).matches("[ -~]*");
        Result result = new OutcomeClassifier().classify(outcome).verdict().build().result();
        assertThat(result).as("%s", outcome).isEqualTo(expected.result());

        ScriptedSmtpServer.Connection c = server.connection(index);
        soon().until(c::isClosed);
        List<String> verbs = new ArrayList<>(c.verbs());
        boolean quit = verbs.remove("QUIT");
        assertThat(verbs).as("commands written, %s", dialog).isEqualTo(expected.commands);
        if (expected.quit != Quit.MAYBE) {
            assertThat(quit).as("QUIT written, %s", dialog).isEqualTo(expected.quit == Quit.YES);
        }
        soon().until(() -> client.openConnections() == 0);
    }

    /** Polls often: most connections are closed within a millisecond, and there are many tries. */
    private static ConditionFactory soon() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    /** "RCPT 550" for a reply, "GREETING TIMEOUT" for a failure: what the model predicts. */
    private static String describe(ProbeOutcome o) {
        return o.stage() + " " + o.reply().map(r -> String.valueOf(r.code())).orElseGet(() -> o.failure().get().name());
    }

    // ------------------------------------------------------------------ the model

    /** What a server does in answer to one event. */
    enum Kind {
        /** A well-formed reply, in one write. */
        REPLY,
        /** A well-formed reply, in several writes a few milliseconds apart. */
        REPLY_SPLIT,
        /** A well-formed reply, then the server hangs up. */
        REPLY_THEN_CLOSE,
        /** A line that does not start with a code. */
        GARBAGE,
        /** A multi-line reply whose lines carry different codes. */
        MIXED_CODES,
        /** A line longer than the limit (its end, if any, far behind). */
        OVERLONG_LINE,
        /** More lines than a reply may have. */
        TOO_MANY_LINES,
        /** Part of a reply, then the server hangs up. */
        CUT_THEN_CLOSE,
        CLOSE,
        RESET,
        /** Part of a reply (or nothing), then nothing more. */
        CUT_THEN_SILENCE;

        boolean replies() {
            return this == REPLY || this == REPLY_SPLIT || this == REPLY_THEN_CLOSE;
        }
    }

    /** One generated answer: its kind, the code it carries, and the text or bytes it is built from. */
    static final class Move {
        final Kind kind;
        final int code;
        final int otherCode;
        final List<String> lines;
        final int size;
        final double cut;

        Move(Kind kind, int code, int otherCode, List<String> lines, int size, double cut) {
            this.kind = kind;
            this.code = code;
            this.otherCode = otherCode == code ? (code == 599 ? 200 : code + 1) : otherCode;
            this.lines = lines;
            this.size = size;
            this.cut = cut;
        }

        Response response() {
            String reply = wellFormed();
            switch (kind) {
                case REPLY:
                    return Response.raw(reply);
                case REPLY_SPLIT:
                    return Response.split(Duration.ofMillis(5), reply.substring(0, reply.length() / 3),
                        reply.substring(reply.length() / 3, reply.length() / 2), reply.substring(reply.length() / 2));
                case REPLY_THEN_CLOSE:
                    return Response.raw(reply).thenClose();
                case GARBAGE:
                    return Response.raw("x" + String.join(" ", lines) + "\r\n");
                case MIXED_CODES:
                    return Response.raw(code + "-first\r\n" + otherCode + " second\r\n");
                case OVERLONG_LINE:
                    return Response.raw(code + " " + "a".repeat(ReplyParser.MAX_LINE_OCTETS + size) + (size % 2 == 0 ? "\r\n" : ""))
                        .thenSilence();
                case TOO_MANY_LINES:
                    return Response.raw((code + "-line\r\n").repeat(ReplyParser.MAX_LINES + size) + code + " end\r\n");
                case CUT_THEN_CLOSE:
                    return Response.raw(cut(reply)).thenClose();
                case CLOSE:
                    return Response.close();
                case RESET:
                    return Response.reset();
                default:
                    return Response.raw(cut(reply)).thenSilence();
            }
        }

        private String wellFormed() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                sb.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
            }
            return sb.toString();
        }

        /** A proper prefix: the reply's last octet (the LF that would end it) never arrives. */
        private String cut(String reply) {
            return reply.substring(0, (int) (cut * (reply.length() - 1)));
        }

        @Override
        public String toString() {
            return kind + (kind.replies() || kind == Kind.OVERLONG_LINE ? " " + code : "");
        }
    }

    enum Quit { YES, NO, MAYBE }

    /**
     * The outcome ("MAIL 550", "HELO CLOSED"; where timing decides between two, either), the
     * commands before QUIT, and whether QUIT is written.
     */
    static final class Expected {
        final List<String> outcomes;
        final List<String> commands;
        final Quit quit;

        Expected(String outcome, List<String> commands, Quit quit) {
            this(List.of(outcome), commands, quit);
        }

        Expected(List<String> outcomes, List<String> commands, Quit quit) {
            this.outcomes = outcomes;
            this.commands = commands;
            this.quit = quit;
        }

        /** As the engine classifies the outcome (README "How a verdict is reached"); the same for each alternative. */
        Result result() {
            String[] parts = outcomes.get(0).split(" ");
            if (!parts[1].matches("\\d+")) {
                return Result.TRANSIENT;
            }
            int code = Integer.parseInt(parts[1]);
            if (parts[0].equals("RCPT") && code < 300) {
                return Result.PASS;
            }
            return code >= 500 ? Result.ERROR : Result.TRANSIENT;
        }
    }

    /** The server's answers to the greeting, EHLO, HELO, MAIL, RCPT and QUIT. */
    static final class Dialog {
        final Move greeting;
        final Move ehlo;
        final Move helo;
        final Move mail;
        final Move rcpt;
        final Move quit;

        Dialog(Move greeting, Move ehlo, Move helo, Move mail, Move rcpt, Move quit) {
            this.greeting = greeting;
            this.ehlo = ehlo;
            this.helo = helo;
            this.mail = mail;
            this.rcpt = rcpt;
            this.quit = quit;
        }

        SmtpScript script() {
            return SmtpScript.standard().greeting(greeting.response()).on("EHLO", ehlo.response())
                .on("HELO", helo.response()).on("MAIL", mail.response()).on("RCPT", rcpt.response())
                .on("QUIT", quit.response());
        }

        /**
         * Walks the dialog as the probe must (README: the probe; ProbeSession): a 2xx goes on to the
         * next command, a 5xx to EHLO falls back to HELO, any other reply decides (QUIT follows,
         * except after 421); a syntax or limit error, a hang-up or silence ends the probe at the
         * stage of the command waiting for its reply, without QUIT.
         */
        Expected expected() {
            List<String> commands = new ArrayList<>();
            String verb = "GREETING";
            Move move = greeting;
            while (true) {
                String stage = stageOf(verb);
                switch (move.kind) {
                    case GARBAGE: case MIXED_CODES: case OVERLONG_LINE: case TOO_MANY_LINES:
                        return new Expected(stage + " PROTOCOL", commands, Quit.NO);
                    case RESET:
                        // a reset that overtakes the end of the TCP handshake fails the connect itself
                        return new Expected(verb.equals("GREETING") ? List.of("GREETING CLOSED", "CONNECT CONNECT")
                            : List.of(stage + " CLOSED"), commands, Quit.NO);
                    case CUT_THEN_CLOSE: case CLOSE:
                        return new Expected(stage + " CLOSED", commands, Quit.NO);
                    case CUT_THEN_SILENCE:
                        return new Expected(stage + " TIMEOUT", commands, Quit.NO);
                    default:
                        break;
                }
                String next = nextVerb(verb, move.code);
                if (next == null) {
                    Quit quit = move.code == 421 ? Quit.NO : move.kind == Kind.REPLY_THEN_CLOSE ? Quit.MAYBE : Quit.YES;
                    return new Expected(stage + " " + move.code, commands, quit);
                }
                if (move.kind == Kind.REPLY_THEN_CLOSE) {
                    // the next command meets a closed connection; the server reads nothing more
                    return new Expected(stageOf(next) + " CLOSED", commands, Quit.NO);
                }
                commands.add(next);
                verb = next;
                move = moveFor(next);
            }
        }

        private Move moveFor(String verb) {
            switch (verb) {
                case "EHLO": return ehlo;
                case "HELO": return helo;
                case "MAIL": return mail;
                default: return rcpt;
            }
        }

        /** The command the probe writes after this reply to {@code verb}, or null when the reply decides. */
        private static String nextVerb(String verb, int code) {
            boolean positive = code < 300;
            switch (verb) {
                case "GREETING": return positive ? "EHLO" : null;
                case "EHLO": return positive ? "MAIL" : code >= 500 ? "HELO" : null;
                case "HELO": return positive ? "MAIL" : null;
                case "MAIL": return positive ? "RCPT" : null;
                default: return null;
            }
        }

        private static String stageOf(String verb) {
            switch (verb) {
                case "GREETING": return Stage.GREETING.name();
                case "EHLO": case "HELO": return Stage.HELO.name();
                default: return verb;
            }
        }

        @Override
        public String toString() {
            return "greeting=" + greeting + ", EHLO=" + ehlo + ", HELO=" + helo + ", MAIL=" + mail + ", RCPT=" + rcpt
                + ", QUIT=" + quit;
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Dialog> dialogs() {
        Arbitrary<Move> m = moves();
        return Combinators.combine(m, m, m, m, m, m).as(Dialog::new);
    }

    private static Arbitrary<Move> moves() {
        // Mostly replies, so that dialogs get deep; silence is rare because each one costs a command timeout.
        Arbitrary<Kind> kinds = weighted(
            Tuple.of(14, Kind.REPLY), Tuple.of(4, Kind.REPLY_SPLIT), Tuple.of(2, Kind.REPLY_THEN_CLOSE),
            Tuple.of(2, Kind.GARBAGE), Tuple.of(2, Kind.MIXED_CODES), Tuple.of(2, Kind.OVERLONG_LINE),
            Tuple.of(2, Kind.TOO_MANY_LINES), Tuple.of(2, Kind.CUT_THEN_CLOSE), Tuple.of(1, Kind.CLOSE),
            Tuple.of(1, Kind.RESET), Tuple.of(1, Kind.CUT_THEN_SILENCE));
        // Codes a server really sends, 2xx most often so that dialogs go on, and any other code of 200-599.
        Arbitrary<Integer> codes = Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.of(220, 250, 251, 252)),
            Tuple.of(4, Arbitraries.of(421, 450, 451, 452, 500, 501, 502, 503, 550, 551, 552, 553, 554, 354)),
            Tuple.of(2, Arbitraries.integers().between(200, 599)));
        // Text as a hostile server may write it: any octet but CR and LF (the parser sanitises).
        Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\u00ff').excludeChars('\r', '\n')
            .ofMaxLength(60);
        Arbitrary<List<String>> lines = Arbitraries.frequencyOf(
            Tuple.of(9, text.list().ofMinSize(1).ofMaxSize(6)),
            Tuple.of(1, text.list().ofSize(ReplyParser.MAX_LINES)));
        return Combinators.combine(kinds, codes, codes, lines, Arbitraries.integers().between(1, 3000),
            Arbitraries.doubles().between(0, 1)).as(Move::new);
    }

    /**
     * Picks by weight, uniformly. (jqwik's own {@code frequency} leans towards some entries well
     * beyond their weight, and here the rare entries are the slow ones.)
     */
    @SafeVarargs
    private static <T> Arbitrary<T> weighted(Tuple.Tuple2<Integer, T>... choices) {
        List<T> table = new ArrayList<>();
        for (Tuple.Tuple2<Integer, T> c : choices) {
            for (int i = 0; i < c.get1(); i++) {
                table.add(c.get2());
            }
        }
        return Arbitraries.integers().between(0, table.size() - 1).withDistribution(RandomDistribution.uniform())
            .withoutEdgeCases().map(table::get);
    }
}
