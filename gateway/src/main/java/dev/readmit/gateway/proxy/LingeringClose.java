package dev.readmit.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after a final response without losing that response: a lingering
 * close, as nginx's {@code lingering_close}.
 *
 * <p>Why: when the gateway answers before the request body has arrived (a {@code 503} from the
 * waiting room, a {@code 413}, a {@code 502}) and then simply closes, the kernel answers the body
 * bytes still arriving with a TCP reset, and a reset makes the client's kernel drop the response it
 * has not read yet. The client sees "connection reset" instead of the {@code 503} and its
 * {@code Retry-After}. So, once the response is written, the gateway sends its FIN (half-close),
 * keeps reading and drops whatever the client still sends, and closes when the client closes its
 * side, after {@link #IDLE_NANOS} without data, or after {@link #MAX_NANOS} in all, whichever comes
 * first.
 *
 * <p>Use {@link #AFTER_RESPONSE} where {@code ChannelFutureListener.CLOSE} would go. One instance per
 * connection, on its event loop; the handler goes first in the pipeline so that the dropped bytes are
 * never decoded.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {

    /** A lingering connection that sends nothing for this long is closed. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A lingering connection is closed after this long whatever it sends. */
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

    static final String NAME = "lingering-close";

    /** Starts a lingering close once the response is written; closes at once if writing it failed. */
    public static final ChannelFutureListener AFTER_RESPONSE = future -> start(future, IDLE_NANOS, MAX_NANOS);

    private final long idleNanos;
    private final long maxNanos;
    private long startedNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    private LingeringClose(long idleNanos, long maxNanos) {
        this.idleNanos = idleNanos;
        this.maxNanos = maxNanos;
    }

    static void start(ChannelFuture written, long idleNanos, long maxNanos) {
        Channel channel = written.channel();
        if (!written.isSuccess()
                || !channel.isActive()
                || !(channel instanceof DuplexChannel duplex)
                || duplex.isInputShutdown()) {
            channel.close();
            return;
        }
        if (channel.pipeline().get(LingeringClose.class) != null) {
            return;
        }
        channel.pipeline().addFirst(NAME, new LingeringClose(idleNanos, maxNanos));
        duplex.shutdownOutput().addListener(done -> {
            if (!done.isSuccess()) {
                channel.close();
            }
        });
        // Whatever paused reading before (a held request, backpressure) no longer matters.
        channel.config().setAutoRead(true);
        channel.read();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        startedNanos = System.nanoTime();
        lastReadNanos = startedNanos;
        schedule(ctx, idleNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        lastReadNanos = System.nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Swallowed with the reads: the handlers behind see nothing more of this connection.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        long idleLeft = idleNanos - (now - lastReadNanos);
        long totalLeft = maxNanos - (now - startedNanos);
        if (idleLeft <= 0 || totalLeft <= 0) {
            timer = null;
            ctx.close();
            return;
        }
        schedule(ctx, Math.min(idleLeft, totalLeft));
    }
}
