package io.github.jamescbv.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * A real SMTP server on a loopback address that answers as a test scripts it ({@link SmtpScript},
 * {@link Response}) and records what each connection said.
 *
 * <pre>{@code
 * try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard().on("RCPT", "550 5.1.1 unknown"))) {
 *     ... probe mx.address() ...
 *     assertThat(mx.lastConnection().commands())
 *         .containsExactly("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<a@b.test>", "QUIT");
 * }
 * }</pre>
 *
 * <p>Several "MX hosts" can share one port on different loopback addresses:
 * {@code start("127.0.0.2", 2525, script)}, {@code start("127.0.0.3", 2525, other)}.
 *
 * <p>Each command is recorded with the read it arrived in ({@link Connection#arrivals()}), so that a
 * test can tell commands sent together (pipelined) from commands sent after a reply.
 *
 * <p>STARTTLS when the script says so ({@link SmtpScript#offeringStartTls()}, {@link Response#startTls()}):
 * the connection records what it said in TLS ({@link Connection#tls()}, {@link Connection#commandsInTls()}).
 *
 * <p>One thread per connection (daemon threads, unbounded): simple, and fine for the
 * hundreds of concurrent connections of load tests. The backlog is large enough for bursts of
 * connects. Thread-safe: scripts can be swapped and records read while connections run.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private static final int BACKLOG = 2048;
    /** Longest command line kept; longer ones are cut (the test is about the client, not us). */
    private static final int MAX_COMMAND = 8192;

    private final ServerSocket serverSocket;
    private final ExecutorService threads;
    /**
     * Guarded by itself. Not a CopyOnWriteArrayList: a load run accepts tens of thousands of
     * connections, and copying the whole list on each accept made accepting quadratic.
     */
    private final List<Connection> connections = new ArrayList<>();
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile SmtpScript script;
    private volatile boolean closed;

    private ScriptedSmtpServer(ServerSocket serverSocket, SmtpScript script) {
        this.serverSocket = serverSocket;
        this.script = script;
        this.threads = Executors.newCachedThreadPool(daemonThreads("scripted-smtp-" + serverSocket.getLocalPort()));
        threads.execute(this::acceptLoop);
    }

    /** Starts on 127.0.0.1, on an ephemeral port. */
    public static ScriptedSmtpServer start(SmtpScript script) {
        return start("127.0.0.1", 0, script);
    }

    /**
     * Starts on {@code bindAddress} (an IP literal such as "127.0.0.2") and {@code port} (0 for an ephemeral one).
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static ScriptedSmtpServer start(String bindAddress, int port, SmtpScript script) {
        Objects.requireNonNull(script, "script");
        try {
            ServerSocket ss = new ServerSocket();
            try {
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), BACKLOG);
            } catch (IOException e) {
                ss.close();
                throw e;
            }
            return new ScriptedSmtpServer(ss, script);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress + ":" + port, e);
        }
    }

    /** Changes the script for connections accepted from now on. */
    public void script(SmtpScript newScript) {
        this.script = Objects.requireNonNull(newScript);
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** How many connections were accepted so far (since {@link #forgetConnections()}, if called). */
    public int connectionCount() {
        synchronized (connections) {
            return connections.size();
        }
    }

    /** How many accepted connections are still open (neither side has closed them yet, as seen from here). */
    public int openConnectionCount() {
        return open.get();
    }

    /** All connections accepted so far, in order. */
    public List<Connection> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    /** The {@code index}-th accepted connection, from 0. */
    public Connection connection(int index) {
        synchronized (connections) {
            return connections.get(index);
        }
    }

    /**
     * Drops the records of the connections accepted so far (open ones keep running): counts and
     * indexes start again from zero. For long load runs, whose records would otherwise fill the heap.
     */
    public void forgetConnections() {
        synchronized (connections) {
            connections.clear();
        }
    }

    /** The last accepted connection; fails when there is none. */
    public Connection lastConnection() {
        List<Connection> all = connections();
        if (all.isEmpty()) {
            throw new IllegalStateException("no connection accepted yet");
        }
        return all.get(all.size() - 1);
    }

    /** Stops listening, closes every connection and stops the threads (waiting at most a few seconds). */
    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
        threads.shutdownNow(); // interrupts pauses and latches
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * When a command arrived: in which read of the connection (from 1; commands that came in one
     * segment share it) and how many replies, the greeting included, had been sent before that read.
     */
    public static final class Arrival {
        public final String command;
        public final int read;
        public final int repliesBefore;

        Arrival(String command, int read, int repliesBefore) {
            this.command = command;
            this.read = read;
            this.repliesBefore = repliesBefore;
        }

        @Override
        public String toString() {
            return command + " (read " + read + ", after " + repliesBefore + " replies)";
        }
    }

    /** What one connection did, as the server saw it. Thread-safe. */
    public static final class Connection {
        private final InetSocketAddress remote;
        private final List<String> commands = new CopyOnWriteArrayList<>();
        private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        private volatile boolean quitReceived;
        private volatile boolean closed;
        private volatile String tls = "";
        private volatile int commandsBeforeTls = -1;

        Connection(InetSocketAddress remote) {
            this.remote = remote;
        }

        /** The client's address and port. */
        public InetSocketAddress remote() {
            return remote;
        }

        /** The command lines received so far, without CRLF, in order. */
        public List<String> commands() {
            return List.copyOf(commands);
        }

        /** How each command received so far arrived, in order. */
        public List<Arrival> arrivals() {
            return List.copyOf(arrivals);
        }

        /** The arrival of the first command with this verb ("RCPT"); fails when there is none. */
        public Arrival arrivalOf(String verb) {
            return arrivals.stream().filter(a -> SmtpScript.verbOf(a.command).equals(verb)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + verb + " in " + commands));
        }

        /** The upper-case verbs received so far: ["EHLO", "MAIL", "RCPT", "QUIT"]. */
        public List<String> verbs() {
            List<String> verbs = new ArrayList<>();
            for (String c : commands) {
                verbs.add(SmtpScript.verbOf(c));
            }
            return verbs;
        }

        public boolean quitReceived() {
            return quitReceived;
        }

        /** The TLS protocol and cipher suite once a handshake succeeded ("TLSv1.3 TLS_AES_256_GCM_SHA384"), else "". */
        public String tls() {
            return tls;
        }

        /** The commands received inside TLS, in order; empty when there was no TLS. */
        public List<String> commandsInTls() {
            List<String> all = commands();
            return commandsBeforeTls < 0 ? List.of() : all.subList(commandsBeforeTls, all.size());
        }

        void tlsStarted(String description) {
            commandsBeforeTls = commands.size();
            tls = description;
        }

        /** True once the connection is over (either side closed it). */
        public boolean isClosed() {
            return closed;
        }

        void record(String command, Reads reads) {
            arrivals.add(new Arrival(command, reads.count, reads.repliesAtLastRead));
            commands.add(command);
            if ("QUIT".equals(SmtpScript.verbOf(command))) {
                quitReceived = true;
            }
        }

        @Override
        public String toString() {
            return remote + " " + commands + (closed ? " closed" : "");
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    // keep going: a failed accept (e.g. fd exhaustion) must not kill the server
                    continue;
                }
                return;
            }
            Connection connection = new Connection((InetSocketAddress) socket.getRemoteSocketAddress());
            open.incrementAndGet();
            openSockets.add(socket);
            synchronized (connections) {
                connections.add(connection);
            }
            try {
                threads.execute(() -> serve(socket, connection, script));
            } catch (RuntimeException rejected) { // closing
                finish(socket, connection);
                return;
            }
        }
    }

    private void serve(Socket socket, Connection connection, SmtpScript sc) {
        try {
            socket.setTcpNoDelay(true); // so that split and drip responses really are separate segments
            Wire wire = new Wire(socket, connection);
            boolean speaking = true;
            long acceptedNanos = System.nanoTime();
            awaitLatency(sc, acceptedNanos);
            Outcome o = perform(sc.greetingResponse(), wire);
            if (o == Outcome.STOP) {
                return;
            }
            speaking = o == Outcome.CONTINUE;
            String line;
            while ((line = readLine(wire.in)) != null) {
                connection.record(line, wire.reads);
                if (!speaking) {
                    continue;
                }
                awaitLatency(sc, wire.reads.lastReadNanos);
                o = perform(sc.responseTo(line), wire);
                if (o == Outcome.STOP) {
                    return;
                }
                speaking = o == Outcome.CONTINUE;
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or we are closing: either way this connection is over
        } finally {
            finish(socket, connection);
        }
    }

    private enum Outcome { CONTINUE, SILENT, STOP }

    /** The script's latency: the reply waits until then after its command arrived (at {@code arrivedNanos}). */
    private static void awaitLatency(SmtpScript sc, long arrivedNanos) throws InterruptedException {
        long left = arrivedNanos + sc.latency().toNanos() - System.nanoTime();
        if (left > 0) {
            // a sleep in the fake server, not in a test: it plays a distant remote
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Counts the reads of a connection that brought data, and notes when the last one came; one thread only. */
    static final class Reads {
        int count;
        long lastReadNanos;
        int replies;
        int repliesAtLastRead;

        InputStream counting(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        noteRead();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) {
                        noteRead();
                    }
                    return n;
                }
            };
        }

        private void noteRead() {
            count++;
            lastReadNanos = System.nanoTime();
            repliesAtLastRead = replies;
        }
    }

    /** A connection's streams: the socket's, or after STARTTLS those of the TLS socket over it. */
    private static final class Wire {
        final Socket socket;
        final Connection connection;
        final Reads reads = new Reads();
        InputStream in;
        OutputStream out;

        Wire(Socket socket, Connection connection) throws IOException {
            this.socket = socket;
            this.connection = connection;
            this.in = new BufferedInputStream(reads.counting(socket.getInputStream()));
            this.out = socket.getOutputStream();
        }

        /** The TLS handshake as server; what the client sent already (read ahead by the buffer) goes to it first. */
        void startTls() throws IOException {
            byte[] readAhead = in.readNBytes(in.available());
            SSLSocket tls = (SSLSocket) TestTls.serverContext().getSocketFactory()
                .createSocket(socket, new ByteArrayInputStream(readAhead), true);
            tls.startHandshake();
            in = new BufferedInputStream(reads.counting(tls.getInputStream()));
            out = tls.getOutputStream();
            connection.tlsStarted(tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite());
        }
    }

    private Outcome perform(Response response, Wire wire) throws IOException, InterruptedException {
        Socket socket = wire.socket;
        wire.reads.replies++;
        for (Response.Step step : response.steps()) {
            if (step instanceof Response.Send) {
                wire.out.write(((Response.Send) step).bytes);
                wire.out.flush();
            } else if (step instanceof Response.Pause) {
                long ms = ((Response.Pause) step).duration.toMillis();
                if (ms > 0) {
                    // a sleep in the fake server, not in a test: it plays a slow remote
                    Thread.sleep(ms);
                }
            } else if (step instanceof Response.Await) {
                ((Response.Await) step).latch.await();
            } else if (step instanceof Response.Close) {
                return Outcome.STOP;
            } else if (step instanceof Response.Reset) {
                socket.setSoLinger(true, 0);
                return Outcome.STOP;
            } else if (step instanceof Response.Silence) {
                return Outcome.SILENT;
            } else if (step instanceof Response.StartTls) {
                wire.startTls();
            }
        }
        return Outcome.CONTINUE;
    }

    /** One line without its CR LF; null at end of stream. Over-long lines are cut, not buffered. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() < MAX_COMMAND) {
                line.write(b);
            }
        }
        return null;
    }

    private void finish(Socket socket, Connection connection) {
        closeQuietly(socket);
        if (openSockets.remove(socket)) {
            connection.closed = true;
            open.decrementAndGet();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing more to do
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), 256 * 1024);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "ScriptedSmtpServer[" + address() + ", connections=" + connectionCount() + ", open=" + open.get() + "]";
    }
}
