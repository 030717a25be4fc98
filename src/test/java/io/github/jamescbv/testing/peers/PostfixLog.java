package io.github.jamescbv.testing.peers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A snapshot of a Postfix instance's {@code maillog_file}, read as smtpd sessions: what one
 * client connection did, from "connect from" to "disconnect from" (or "lost connection").
 */
public final class PostfixLog {
    /** {@code Nov 25 06:09:50 host syslog-name/smtpd[12218]: text} */
    private static final Pattern LINE = Pattern.compile("^\\w{3}\\s+\\d+\\s+[\\d:]+\\s+\\S+\\s+(\\S+)/([\\w.-]+)\\[(\\d+)\\]:\\s(.*)$");
    private static final Pattern CLIENT = Pattern.compile("(?:connect|disconnect) from [^\\[\\s]*\\[([^\\]]+)\\]");

    private final List<String> lines;

    public PostfixLog(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    public List<String> lines() {
        return lines;
    }

    /** Lines of any Postfix program that contain "warning:". */
    public List<String> warnings() {
        return lines.stream().filter(l -> l.contains(" warning: ")).collect(Collectors.toList());
    }

    /** Every smtpd session in the log, in the order they began. */
    public List<SmtpdSession> sessions() {
        List<SmtpdSession> done = new ArrayList<>();
        Map<String, SmtpdSession> open = new HashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !"smtpd".equals(m.group(2))) {
                continue;
            }
            String pid = m.group(3);
            String text = m.group(4);
            if (text.startsWith("connect from ")) {
                SmtpdSession session = new SmtpdSession(pid, clientOf(text));
                open.put(pid, session);
                done.add(session);
            }
            SmtpdSession session = open.get(pid);
            if (session != null) {
                session.lines.add(text);
                if (text.startsWith("disconnect from ")) {
                    open.remove(pid);
                }
            }
        }
        return done;
    }

    /** The sessions of clients connecting from {@code address}. */
    public List<SmtpdSession> sessionsFrom(String address) {
        return sessions().stream().filter(s -> s.client.equals(address)).collect(Collectors.toList());
    }

    /** The session in which {@code text} (e.g. an address in a reject line) was logged. */
    public Optional<SmtpdSession> sessionMentioning(String text) {
        return sessions().stream().filter(s -> s.lines.stream().anyMatch(l -> l.contains(text))).findFirst();
    }

    private static String clientOf(String text) {
        Matcher m = CLIENT.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /** One client connection as smtpd logged it (lines without the syslog prefix). */
    public static final class SmtpdSession {
        public final String pid;
        /** The client's IP address. */
        public final String client;
        final List<String> lines = new ArrayList<>();

        SmtpdSession(String pid, String client) {
            this.pid = pid;
            this.client = client;
        }

        public List<String> lines() {
            return List.copyOf(lines);
        }

        /** The "disconnect from ..." line with its command counts, once the session is over. */
        public Optional<String> disconnect() {
            return lines.stream().filter(l -> l.startsWith("disconnect from ")).findFirst();
        }

        /**
         * The TLS session as smtpd logged it with {@code smtpd_tls_loglevel 1}, e.g. "TLSv1.3 with
         * cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...", when there was one.
         */
        public Optional<String> tls() {
            String established = "TLS connection established from ";
            return lines.stream().filter(l -> l.contains(established))
                .map(l -> l.substring(l.indexOf(": ", l.indexOf(established)) + 2)).findFirst();
        }

        /** Over, and the client said QUIT (Postfix counts it: {@code quit=1}). */
        public boolean endedWithQuit() {
            return disconnect().map(d -> d.contains(" quit=1")).orElse(false);
        }

        /**
         * Lines of trouble: a connection the client dropped, pipelining smtpd found improper, a TLS
         * handshake that failed, any warning.
         */
        public List<String> problems() {
            return lines.stream()
                .filter(l -> l.startsWith("lost connection") || l.contains("improper command pipelining")
                    || l.startsWith("warning:") || l.startsWith("timeout after") || l.startsWith("SSL_accept error"))
                .collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return "smtpd[" + pid + "] " + client + " " + lines;
        }
    }
}
