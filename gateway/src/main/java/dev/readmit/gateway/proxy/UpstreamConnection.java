package dev.readmit.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kept-alive HTTP connection to the upstream, and the last handler of its pipeline. While it serves
 * an exchange it hands everything it reads to that {@link UpstreamExchange}; while it sits in the pool
 * it keeps a read pending so that a close by the upstream is noticed and the connection dropped.
 *
 * <p>Confined to its event loop (the same loop as the client connection it serves), so its fields need
 * no {@code volatile}.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

    private final UpstreamPool.LoopPool pool;
    private Channel channel;
    private UpstreamExchange exchange;
    private Throwable failure;
    private boolean reused;
    /** When it was last returned to the pool ({@link System#nanoTime()}); read by the pool's idle sweep. */
    long idleSinceNanos;

    UpstreamConnection(UpstreamPool.LoopPool pool) {
        this.pool = pool;
    }

    Channel channel() {
        return channel;
    }

    /** True when this connection has served an exchange before this one. */
    boolean isReused() {
        return reused;
    }

    void bind(UpstreamExchange exchange) {
        this.exchange = exchange;
    }

    /** Detaches the exchange; after this the connection reports nothing to it. */
    void unbind() {
        this.exchange = null;
    }

    /** Returns a clean connection (complete response read, request fully sent) to the pool. */
    void release() {
        exchange = null;
        reused = true;
        pool.release(this);
    }

    boolean isActive() {
        return channel.isActive();
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    void write(HttpObject message) {
        channel.write(message, channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    void read() {
        channel.read();
    }

    void close() {
        exchange = null;
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamExchange e = exchange;
        if (e == null || failure != null || !(msg instanceof HttpObject http)) {
            // Bytes from an idle connection, or decoded after a failure: nothing can use them.
            ReferenceCountUtil.release(msg);
            if (e == null && failure == null) {
                ctx.close();
            }
            return;
        }
        e.onUpstreamMessage(http);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamExchange e = exchange;
        if (e != null) {
            e.onUpstreamReadComplete();
        } else {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamExchange e = exchange;
        if (e != null && ctx.channel().isWritable()) {
            e.onUpstreamWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamExchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onUpstreamClosed(
                    new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "upstream connection closed", failure));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (!(cause instanceof IOException)) {
            log.debug("upstream connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
