package io.github.jamescbv.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Sends one DNS query to one server and receives its answer: over UDP, and again over TCP
 * when the UDP answer is truncated (RFC 7766). Netty does the I/O on the resolver's event loops.
 *
 * <p>Why not dnsjava's own {@code SimpleResolver.sendAsync}: in dnsjava 3.5.2 (the version
 * James 3.8.1 ships) its NIO selector thread only registers a new query's socket when a
 * select call returns with nothing ready, so under any concurrency a query often waits a
 * full second before it is even sent (fixed in dnsjava 3.5.3), and its timeouts are checked
 * on the same one-second beat. dnsjava still builds and parses every message.
 *
 * <p>Each UDP query gets its own socket on an ephemeral port chosen by the OS, connected to
 * the server, so only the server's datagrams reach it; an answer whose ID or question does not
 * match the query is dropped and the wait goes on (RFC 5452).
 */
final class DnsTransport {
    /** EDNS0 UDP payload size (the DNS flag day 2020 value: avoids IP fragmentation). */
    static final int EDNS_PAYLOAD = 1232;
    private static final int UDP_RECEIVE_BUFFER = 4096;
    private static final int TCP_MAX_MESSAGE = 65535;

    private final EventLoopGroup group;

    DnsTransport(EventLoopGroup group) {
        this.group = group;
    }

    /**
     * The server's answer to {@code query}, or an exceptional completion: {@link SocketTimeoutException}
     * when nothing usable came within {@code timeoutNanos}, another {@link IOException} on a network error.
     * Completes on one of the group's threads (or at once, on this thread, if the group is shut down).
     */
    CompletableFuture<Message> exchange(InetSocketAddress server, Message query, long timeoutNanos) {
        Message withEdns = query.clone();
        if (withEdns.getOPT() == null) {
            withEdns.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        CompletableFuture<Message> result = new CompletableFuture<>();
        send(server, withEdns, false, deadline).whenComplete((answer, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (answer.getHeader().getFlag(Flags.TC)) {
                send(server, withEdns, true, deadline).whenComplete((tcpAnswer, tcpError) -> {
                    if (tcpError != null) {
                        result.completeExceptionally(tcpError);
                    } else {
                        result.complete(tcpAnswer);
                    }
                });
            } else {
                result.complete(answer);
            }
        });
        return result;
    }

    private CompletableFuture<Message> send(InetSocketAddress server, Message query, boolean tcp, long deadline) {
        try {
            return trySend(server, query, tcp, deadline);
        } catch (RuntimeException e) {
            // e.g. RejectedExecutionException once the resolver is closed
            return CompletableFuture.failedFuture(new IOException("cannot send: " + e, e));
        }
    }

    private CompletableFuture<Message> trySend(InetSocketAddress server, Message query, boolean tcp, long deadline) {
        CompletableFuture<Message> answer = new CompletableFuture<>();
        if (group.isShuttingDown()) {
            // checked first: Netty logs an error for every listener a dead event loop cannot run
            answer.completeExceptionally(new IOException("DNS resolver closed"));
            return answer;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            answer.completeExceptionally(new SocketTimeoutException("no time left for " + (tcp ? "TCP" : "UDP")));
            return answer;
        }
        byte[] wire = query.toWire();
        AnswerHandler handler = new AnswerHandler(query, answer, server, tcp);
        ChannelFuture connect = tcp ? tcpBootstrap(handler, left).connect(server) : udpBootstrap(handler, server).connect(server);
        Channel channel = connect.channel();
        ScheduledFuture<?> timer = group.schedule(
            () -> answer.completeExceptionally(new SocketTimeoutException(
                "no answer from " + server + " over " + (tcp ? "TCP" : "UDP") + " in time")),
            left, TimeUnit.NANOSECONDS);
        // Whoever decides the outcome (answer, error, timer), the socket goes.
        answer.whenComplete((m, t) -> {
            timer.cancel(false);
            channel.close();
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(asIo(f.cause()));
                return;
            }
            ByteBuf out = tcp ? Unpooled.buffer(wire.length + 2).writeShort(wire.length).writeBytes(wire)
                : Unpooled.wrappedBuffer(wire);
            channel.writeAndFlush(out).addListener(w -> {
                if (!w.isSuccess()) {
                    answer.completeExceptionally(asIo(w.cause()));
                }
            });
        });
        return answer;
    }

    private Bootstrap udpBootstrap(AnswerHandler handler, InetSocketAddress server) {
        InternetProtocolFamily family = server.getAddress() instanceof Inet6Address
            ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
        return new Bootstrap()
            .group(group)
            .channelFactory(() -> new NioDatagramChannel(family))
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_RECEIVE_BUFFER))
            .handler(handler);
    }

    private Bootstrap tcpBootstrap(AnswerHandler handler, long leftNanos) {
        int connectMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
        return new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    // two-octet length, then the message (RFC 1035 section 4.2.2)
                    ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(TCP_MAX_MESSAGE + 2, 0, 2, 0, 2), handler);
                }
            });
    }

    private static IOException asIo(Throwable t) {
        return t instanceof IOException ? (IOException) t : new IOException(String.valueOf(t), t);
    }

    /** Takes the first message that answers the query; ignores anything else. */
    private static final class AnswerHandler extends ChannelInboundHandlerAdapter {
        private final Message query;
        private final CompletableFuture<Message> answer;
        private final InetSocketAddress server;
        private final boolean tcp;

        AnswerHandler(Message query, CompletableFuture<Message> answer, InetSocketAddress server, boolean tcp) {
            this.query = query;
            this.answer = answer;
            this.server = server;
            this.tcp = tcp;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf content = msg instanceof DatagramPacket ? ((DatagramPacket) msg).content()
                    : msg instanceof ByteBuf ? (ByteBuf) msg : null;
                if (content == null) {
                    return;
                }
                Message m = parse(ByteBufUtil.getBytes(content));
                if (m != null && matches(m)) {
                    answer.complete(m);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static Message parse(byte[] bytes) {
            try {
                return new Message(bytes);
            } catch (IOException e) {
                return null; // garbage: not an answer, keep waiting
            }
        }

        private boolean matches(Message m) {
            if (m.getHeader().getID() != query.getHeader().getID() || !m.getHeader().getFlag(Flags.QR)) {
                return false;
            }
            Record q = query.getQuestion();
            Record a = m.getQuestion();
            // An answer without a question happens for some errors (FORMERR, and TC from some servers).
            return a == null ? m.getRcode() != 0 || m.getHeader().getFlag(Flags.TC)
                : a.getName().equals(q.getName()) && a.getType() == q.getType() && a.getDClass() == q.getDClass();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. PortUnreachableException: ICMP says nobody listens there
            answer.completeExceptionally(asIo(cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (tcp) {
                answer.completeExceptionally(new EOFException("TCP connection to " + server + " closed before an answer"));
            }
            ctx.fireChannelInactive();
        }
    }
}
