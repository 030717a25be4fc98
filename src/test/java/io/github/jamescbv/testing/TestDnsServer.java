package io.github.jamescbv.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server for tests: real UDP and TCP sockets on 127.0.0.1, one port
 * for both, chosen at {@link #start()}; answers built with dnsjava's {@link Message}.
 *
 * <pre>{@code
 * try (TestDnsServer dns = new TestDnsServer().start()) {
 *     dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");
 *     resolver = new DnsjavaMxResolver(List.of(dns.hostPort()), Duration.ofSeconds(2));
 *     ...
 *     assertThat(dns.queries("mx1.example.com", Type.A)).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p><b>Zone.</b> One flat zone holding any name (names are case-insensitive; a trailing dot
 * is optional). The zone may be changed at any time, also while the server runs; every
 * method is thread-safe and returns {@code this}. A query is answered like an authoritative
 * server would:
 * <ul>
 *   <li>records of the asked type: NOERROR with them;</li>
 *   <li>a CNAME at the name: the CNAME, and the chain is followed inside the zone (a loop
 *       stops at the first name seen twice, so the client sees the loop and must give up);
 *       the rcode is that of the chain's last name (RFC 6604);</li>
 *   <li>a name that exists without such records (it has other records, was declared with
 *       {@link #exists}, or has records below it): NOERROR without answers (NODATA);</li>
 *   <li>any other name: NXDOMAIN.</li>
 * </ul>
 * Per-name modes apply to queries for that exact name (not to names reached through a CNAME):
 * {@link #servfail}, {@link #silent} (no answer at all: the client times out),
 * {@link #truncate} (over UDP, an empty answer with TC set, so the client retries over TCP),
 * {@link #lose} (the next few queries are dropped, like lost datagrams); over TCP only,
 * {@link #failTcp} (the connection is closed without an answer) and {@link #silentTcp}.
 * With {@link #truncate}, the last two make the client's TCP fallback fail.
 * UDP answers larger than the client's size (512, or its EDNS size) are truncated the same way.
 *
 * <p><b>Counts.</b> Every query received (UDP and TCP, answered or not) is counted per
 * name and type: {@link #queries(String, int)}, {@link #totalQueries()}.
 *
 * <p><b>Threads.</b> One for UDP, one accepting TCP, one per open TCP connection; all daemon
 * threads named "test-dns-...", all stopped by {@link #close()}.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final long TTL = 300;
    private static final int UDP_DEFAULT_SIZE = 512;
    private static final int MAX_CNAME_HOPS = 16;
    /** Mode key meaning "whatever the type"; not a valid RR type. */
    private static final int ALL_TYPES = -1;

    private final Object zoneLock = new Object();
    // all guarded by zoneLock
    private final Map<Name, List<Record>> records = new HashMap<>();
    private final Set<Name> declared = new HashSet<>();
    private final Map<Name, Set<Integer>> servfail = new HashMap<>();
    private final Map<Name, Set<Integer>> silent = new HashMap<>();
    private final Set<Name> truncated = new HashSet<>();
    private final Map<Name, Integer> toLose = new HashMap<>();
    private final Set<Name> tcpClosed = new HashSet<>();
    private final Set<Name> tcpSilent = new HashSet<>();
    /** What {@link #answer} returns to say "close this TCP connection without an answer". */
    private static final byte[] CLOSE_CONNECTION = new byte[0];

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger threadCounter = new AtomicInteger();
    private volatile DatagramSocket udp;
    private volatile ServerSocket tcp;
    private volatile boolean running;

    // ---------------------------------------------------------------- life cycle

    /**
     * Binds UDP and TCP on the same free port of 127.0.0.1 and starts answering.
     *
     * @return this server, for chaining
     * @throws IllegalStateException if already started
     */
    public TestDnsServer start() {
        return start(0);
    }

    /**
     * As {@link #start()}, on {@code port} of 127.0.0.1 for UDP and TCP (0: any free port).
     * A fixed port is for the demo, whose James configuration names it.
     */
    public TestDnsServer start(int port) {
        if (running) {
            throw new IllegalStateException("already started");
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        IOException last = null;
        int attempts = port == 0 ? 50 : 1;
        for (int attempt = 0; attempt < attempts && tcp == null; attempt++) {
            DatagramSocket u = null;
            try {
                u = new DatagramSocket(new InetSocketAddress(loopback, port));
                ServerSocket t = new ServerSocket();
                try {
                    t.bind(new InetSocketAddress(loopback, u.getLocalPort()), 64);
                } catch (IOException e) {
                    t.close();
                    throw e;
                }
                u.setReceiveBufferSize(4 << 20); // a burst of concurrent queries must not be dropped
                udp = u;
                tcp = t;
            } catch (IOException e) {
                last = e;
                if (u != null) {
                    u.close();
                }
            }
        }
        if (tcp == null) {
            throw new UncheckedIOException("no free port for UDP and TCP together", last);
        }
        running = true;
        startThread("udp", this::serveUdp);
        startThread("tcp-accept", this::acceptTcp);
        return this;
    }

    /** The port (UDP and TCP); valid after {@link #start()}. */
    public int port() {
        return udp.getLocalPort();
    }

    /** 127.0.0.1 and {@link #port()}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), port());
    }

    /** "127.0.0.1:port", the form DNS server settings take. */
    public String hostPort() {
        return udp.getLocalAddress().getHostAddress() + ":" + port();
    }

    /** Stops answering, closes the sockets and waits for the threads. Idempotent. */
    @Override
    public void close() {
        running = false;
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- zone

    /** Adds {@code domain MX preference host}. */
    public TestDnsServer mx(String domain, int preference, String host) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    /** Adds the RFC 7505 null MX {@code domain MX 0 .}. */
    public TestDnsServer nullMx(String domain) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, 0, Name.root));
    }

    /** Adds {@code host A address} (dotted quad). */
    public TestDnsServer a(String host, String address) {
        return add(new ARecord(name(host), DClass.IN, TTL, literal(address, Address.IPv4)));
    }

    /** Adds {@code host AAAA address}. */
    public TestDnsServer aaaa(String host, String address) {
        return add(new AAAARecord(name(host), DClass.IN, TTL, literal(address, Address.IPv6)));
    }

    /** Adds {@code name CNAME target}; the target need not exist. */
    public TestDnsServer cname(String name, String target) {
        return add(new CNAMERecord(name(name), DClass.IN, TTL, name(target)));
    }

    /** Adds {@code name TXT text}. */
    public TestDnsServer txt(String name, String text) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    /** Adds any record built by the caller. */
    public TestDnsServer add(Record record) {
        synchronized (zoneLock) {
            records.computeIfAbsent(record.getName(), n -> new ArrayList<>()).add(record);
        }
        return this;
    }

    /** Declares that {@code name} exists: types it has no records of get NODATA, not NXDOMAIN. */
    public TestDnsServer exists(String name) {
        synchronized (zoneLock) {
            declared.add(name(name));
        }
        return this;
    }

    /** Every query for {@code name} gets SERVFAIL, whatever the zone holds. */
    public TestDnsServer servfail(String name) {
        return servfail(name, ALL_TYPES);
    }

    /** Queries for {@code name} and {@code type} (a {@link Type} constant) get SERVFAIL; other types are answered. */
    public TestDnsServer servfail(String name, int type) {
        synchronized (zoneLock) {
            servfail.computeIfAbsent(name(name), n -> new HashSet<>()).add(type);
        }
        return this;
    }

    /** Queries for {@code name} are counted but never answered: the client times out. */
    public TestDnsServer silent(String name) {
        return silent(name, ALL_TYPES);
    }

    /** Queries for {@code name} and {@code type} are counted but never answered; other types are answered. */
    public TestDnsServer silent(String name, int type) {
        synchronized (zoneLock) {
            silent.computeIfAbsent(name(name), n -> new HashSet<>()).add(type);
        }
        return this;
    }

    /** Over UDP, queries for {@code name} get an empty answer with TC set (the client retries over TCP). */
    public TestDnsServer truncate(String name) {
        synchronized (zoneLock) {
            truncated.add(name(name));
        }
        return this;
    }

    /**
     * The next {@code count} queries for {@code name} (any type, UDP or TCP) are counted and
     * dropped, as if the datagrams were lost; later ones are answered.
     */
    public TestDnsServer lose(String name, int count) {
        synchronized (zoneLock) {
            toLose.put(name(name), count);
        }
        return this;
    }

    /** Over TCP, queries for {@code name} are counted, then the connection is closed without an answer. */
    public TestDnsServer failTcp(String name) {
        synchronized (zoneLock) {
            tcpClosed.add(name(name));
        }
        return this;
    }

    /** Over TCP, queries for {@code name} are counted but never answered (UDP ones are answered). */
    public TestDnsServer silentTcp(String name) {
        synchronized (zoneLock) {
            tcpSilent.add(name(name));
        }
        return this;
    }

    /** Removes the records and modes of {@code name}; afterwards it is unknown (NXDOMAIN unless it has names below it). */
    public TestDnsServer remove(String name) {
        Name n = name(name);
        synchronized (zoneLock) {
            records.remove(n);
            declared.remove(n);
            servfail.remove(n);
            silent.remove(n);
            truncated.remove(n);
            toLose.remove(n);
            tcpClosed.remove(n);
            tcpSilent.remove(n);
        }
        return this;
    }

    /** Empties the zone and forgets every mode (not the query counts). */
    public TestDnsServer clear() {
        synchronized (zoneLock) {
            records.clear();
            declared.clear();
            servfail.clear();
            silent.clear();
            truncated.clear();
            toLose.clear();
            tcpClosed.clear();
            tcpSilent.clear();
        }
        return this;
    }

    // ---------------------------------------------------------------- counts

    /** Queries received for {@code name} (trailing dot optional) and {@code type} (a {@link Type} constant). */
    public int queries(String name, int type) {
        AtomicInteger c = counts.get(countKey(name(name), type));
        return c == null ? 0 : c.get();
    }

    /** Queries received for {@code name} and type mnemonic, e.g. "MX", "AAAA". */
    public int queries(String name, String type) {
        int t = Type.value(type);
        if (t < 0) {
            throw new IllegalArgumentException("unknown type " + type);
        }
        return queries(name, t);
    }

    /** All queries received, any name, any type, UDP and TCP. */
    public int totalQueries() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Queries received over TCP. */
    public int tcpQueries() {
        return tcpQueries.get();
    }

    /** Forgets every count. */
    public TestDnsServer resetQueryCounts() {
        counts.clear();
        tcpQueries.set(0);
        return this;
    }

    // ---------------------------------------------------------------- answering

    /**
     * The answer to {@code queryBytes}, or null for none (silent, unparseable), or over TCP
     * {@link #CLOSE_CONNECTION}.
     */
    byte[] answer(byte[] queryBytes, boolean overUdp) {
        Message query;
        try {
            query = new Message(queryBytes);
        } catch (IOException e) {
            return null; // not DNS: a real server would drop it too
        }
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        Header header = response.getHeader();
        header.setFlag(Flags.QR);
        header.setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        header.setOpcode(query.getHeader().getOpcode());
        if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
            header.setRcode(question == null ? Rcode.FORMERR : Rcode.NOTIMP);
            return response.toWire();
        }
        response.addRecord(question, Section.QUESTION);
        Name qname = question.getName();
        int qtype = question.getType();
        counts.computeIfAbsent(countKey(qname, qtype), k -> new AtomicInteger()).incrementAndGet();

        boolean truncate;
        synchronized (zoneLock) {
            if (applies(silent, qname, qtype) || !overUdp && tcpSilent.contains(qname)) {
                return null;
            }
            if (!overUdp && tcpClosed.contains(qname)) {
                return CLOSE_CONNECTION;
            }
            Integer lose = toLose.get(qname);
            if (lose != null && lose > 0) {
                toLose.put(qname, lose - 1);
                return null;
            }
            truncate = overUdp && truncated.contains(qname);
            if (applies(servfail, qname, qtype)) {
                header.setRcode(Rcode.SERVFAIL);
            } else {
                fill(response, qname, qtype);
            }
        }
        if (!overUdp) {
            return response.toWire(Message.MAXLENGTH);
        }
        OPTRecord opt = query.getOPT();
        int max = opt == null ? UDP_DEFAULT_SIZE : Math.max(UDP_DEFAULT_SIZE, opt.getPayloadSize());
        byte[] wire = response.toWire(Message.MAXLENGTH);
        if (truncate || wire.length > max) {
            Message cut = new Message(query.getHeader().getID());
            cut.getHeader().setFlag(Flags.QR);
            cut.getHeader().setFlag(Flags.AA);
            cut.getHeader().setFlag(Flags.TC);
            cut.addRecord(question, Section.QUESTION);
            return cut.toWire();
        }
        return wire;
    }

    private static boolean applies(Map<Name, Set<Integer>> mode, Name name, int type) {
        Set<Integer> types = mode.get(name);
        return types != null && (types.contains(ALL_TYPES) || types.contains(type));
    }

    /** Answers from the zone, following CNAMEs; the caller holds zoneLock. */
    private void fill(Message response, Name qname, int qtype) {
        Name current = qname;
        Set<Name> seen = new HashSet<>();
        seen.add(current);
        for (int hop = 0; hop < MAX_CNAME_HOPS; hop++) {
            List<Record> here = records.getOrDefault(current, List.of());
            boolean found = false;
            for (Record r : here) {
                if (r.getType() == qtype || qtype == Type.ANY) {
                    response.addRecord(r, Section.ANSWER);
                    found = true;
                }
            }
            if (found) {
                return;
            }
            Record cname = here.stream().filter(r -> r.getType() == Type.CNAME).findFirst().orElse(null);
            if (cname != null) {
                response.addRecord(cname, Section.ANSWER);
                Name target = ((CNAMERecord) cname).getTarget();
                if (!seen.add(target)) {
                    return; // a loop: give what we have, the client sees it
                }
                current = target;
                continue;
            }
            if (!exists(current)) {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            return;
        }
    }

    /** Has records or was declared, itself or a name below it (an empty non-terminal); caller holds zoneLock. */
    private boolean exists(Name n) {
        if (records.containsKey(n) || declared.contains(n)) {
            return true;
        }
        for (Name owner : records.keySet()) {
            if (owner.subdomain(n)) {
                return true;
            }
        }
        for (Name owner : declared) {
            if (owner.subdomain(n)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- sockets

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (running) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            byte[] query = new byte[packet.getLength()];
            System.arraycopy(packet.getData(), packet.getOffset(), query, 0, packet.getLength());
            byte[] reply = answerSafely(query, true);
            if (reply != null) {
                try {
                    udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                } catch (IOException e) {
                    // the client went away; nothing to do
                }
            }
        }
    }

    private void acceptTcp() {
        while (running) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            connections.add(s);
            startThread("tcp", () -> serveTcp(s));
        }
    }

    /** DNS over TCP (RFC 7766): two-octet length, message; several per connection, until the client closes. */
    private void serveTcp(Socket s) {
        try (Socket socket = s;
             DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (running) {
                int length = in.readUnsignedShort();
                byte[] query = new byte[length];
                in.readFully(query);
                tcpQueries.incrementAndGet();
                byte[] reply = answerSafely(query, false);
                if (reply == CLOSE_CONNECTION) {
                    return; // closes the socket
                }
                if (reply != null) {
                    synchronized (out) {
                        out.writeShort(reply.length);
                        out.write(reply);
                        out.flush();
                    }
                }
            }
        } catch (EOFException | SocketException e) {
            // the client closed, or we are closing
        } catch (IOException e) {
            // a broken connection ends only itself
        } finally {
            connections.remove(s);
        }
    }

    private byte[] answerSafely(byte[] query, boolean overUdp) {
        try {
            return answer(query, overUdp);
        } catch (RuntimeException e) {
            return null; // a bug here must not kill the server thread; the client times out
        }
    }

    private void startThread(String what, Runnable body) {
        Thread t = new Thread(body, "test-dns-" + what + "-" + threadCounter.incrementAndGet());
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    // ---------------------------------------------------------------- helpers

    private static Name name(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            return v.equals(".") ? Name.root : Name.fromString(v.endsWith(".") ? v : v + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad name " + s, e);
        }
    }

    private static InetAddress literal(String address, int family) {
        try {
            return Address.getByAddress(address, family);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + address, e);
        }
    }

    private static String countKey(Name name, int type) {
        return name.toString().toLowerCase(Locale.ROOT) + "/" + Type.string(type);
    }
}
