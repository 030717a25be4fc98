package io.github.jamescbv.testing.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A greylisting policy server for Postfix's {@code check_policy_service} (the policy delegation
 * protocol: {@code name=value} lines ending with an empty line, answered by {@code action=...}):
 * the first time a (client address, sender, recipient) triplet is seen it is deferred, as
 * postgrey does; once {@code retryAfter} has passed since then it is let through (DUNNO).
 */
public final class GreylistPolicyServer implements AutoCloseable {
    /** The action postgrey answers; Postfix turns it into a 450 at RCPT TO. */
    static final String DEFER = "DEFER_IF_PERMIT Greylisted, try again later";

    private final Duration retryAfter;
    private final ServerSocket server;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger deferred = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    private GreylistPolicyServer(Duration retryAfter, ServerSocket server) {
        this.retryAfter = retryAfter;
        this.server = server;
    }

    /** Listens on 127.0.0.1, an ephemeral port. */
    public static GreylistPolicyServer start(Duration retryAfter) throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        GreylistPolicyServer s = new GreylistPolicyServer(retryAfter, socket);
        Thread acceptor = new Thread(s::acceptLoop, "greylist-policy-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    /** For main.cf: {@code check_policy_service inet:127.0.0.1:PORT}. */
    public String endpoint() {
        return "inet:127.0.0.1:" + server.getLocalPort();
    }

    /** Policy requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Requests answered with a deferral so far. */
    public int deferred() {
        return deferred.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                clients.add(client);
                Thread t = new Thread(() -> serve(client), "greylist-policy-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Postfix keeps a policy connection open and sends one request after another on it. */
    private void serve(Socket client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = client.getOutputStream();
            Map<String, String> request = new HashMap<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        request.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                    continue;
                }
                out.write(("action=" + decide(request) + "\n\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                request.clear();
            }
        } catch (IOException e) {
            // Postfix closed the connection (idle, or smtpd exited): nothing to do
        } finally {
            clients.remove(client);
        }
    }

    private String decide(Map<String, String> request) {
        requests.incrementAndGet();
        if (!"RCPT".equals(request.get("protocol_state"))) {
            return "DUNNO";
        }
        String triplet = request.get("client_address") + "/" + request.get("sender") + "/" + request.get("recipient");
        long now = System.nanoTime();
        Long first = firstSeen.putIfAbsent(triplet, now);
        if (first == null || now - first < retryAfter.toNanos()) {
            deferred.incrementAndGet();
            return DEFER;
        }
        return "DUNNO";
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a test server: nothing to do
        }
        for (Socket c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                // as above
            }
        }
    }
}
