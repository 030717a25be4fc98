package io.github.jamescbv.james;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.util.concurrent.EventExecutor;
import org.apache.james.protocols.api.ProtocolTransport;

/** The Netty side of one SMTP session, as found by {@link ChannelAccess}. */
final class SessionChannel {
    private final ProtocolTransport transport;
    private final Channel channel;
    private final ChannelHandlerContext core;
    private final ChannelInboundHandler coreHandler;

    SessionChannel(ProtocolTransport transport, Channel channel, ChannelHandlerContext core, ChannelInboundHandler coreHandler) {
        this.transport = transport;
        this.channel = channel;
        this.core = core;
        this.coreHandler = coreHandler;
    }

    ProtocolTransport transport() {
        return transport;
    }

    Channel channel() {
        return channel;
    }

    /**
     * The executor that runs James's core handler, hence every hook of this session. Session
     * state is not thread-safe, so everything that touches it after a hold runs here.
     */
    EventExecutor executor() {
        return core.executor();
    }

    /** Feeds one framed line to James's core handler, as if it had just been read. */
    void replay(byte[] line) throws Exception {
        coreHandler.channelRead(core, Unpooled.wrappedBuffer(line));
    }

    /** Lets James's core handler deal with a failure, as it would with one from a read: fatal-error reply, close. */
    void fail(Throwable cause) {
        try {
            coreHandler.exceptionCaught(core, cause);
        } catch (Exception e) {
            channel.close();
        }
    }
}
