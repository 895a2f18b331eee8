package dev.readmit.gateway.proxy;

import dev.readmit.gateway.config.LimitSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes client connections that idle too long between requests, and answers {@code 408} to clients
 * that start a request head and do not finish it in time (the slow-loris defence).
 *
 * <p>It sits before the HTTP codec so that it sees the first raw byte of a request head; it learns
 * where requests and responses end from {@link HttpErrorHandler}, which sits after the codec and calls
 * {@link #requestStarted()} and {@link #responseFinished()}. While a request is being handled no client
 * timeout applies: the upstream's timeouts and the admission stages' maximum wait apply then.
 *
 * <p>Implementation notes: like Netty's {@code IdleStateHandler}, the timer is lazy. Events only record
 * the time they happened; one task per connection checks the deadline of the current state when it
 * fires and re-schedules itself, never further out than the (shorter) head timeout, so that a request
 * starting on an idle connection never needs an earlier task. Requests on a kept-alive connection thus
 * schedule nothing.
 *
 * <p>One instance per connection; all calls come on the channel's event loop, so the fields need no
 * {@code volatile}.
 */
public final class ClientTimeoutHandler extends ChannelDuplexHandler {

    private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\n"
                    + "408 Request Timeout\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long tickNanos;
    private ChannelHandlerContext ctx;
    private int openExchanges;
    private boolean headStarted;
    private long sinceNanos;
    private ScheduledFuture<?> timer;

    public ClientTimeoutHandler(LimitSettings limits) {
        this.headerTimeoutNanos = limits.requestHeaderTimeout().toNanos();
        this.idleTimeoutNanos = limits.clientIdleTimeout().toNanos();
        this.tickNanos = Math.min(headerTimeoutNanos, idleTimeoutNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            becameIdle();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null) {
            becameIdle();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (openExchanges == 0 && !headStarted && msg instanceof ByteBuf buf && buf.isReadable()) {
            headStarted = true;
            sinceNanos = System.nanoTime();
            ensureTimer();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    /** A complete request head was decoded: no client timeout applies until its response is finished. */
    void requestStarted() {
        openExchanges++;
        headStarted = false;
    }

    /** A final response was written completely. */
    void responseFinished() {
        if (openExchanges > 0 && --openExchanges == 0) {
            becameIdle();
        }
    }

    private void becameIdle() {
        headStarted = false;
        sinceNanos = System.nanoTime();
        ensureTimer();
    }

    private void ensureTimer() {
        if (timer == null) {
            timer = ctx.executor().schedule(this::check, tickNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        timer = null;
        if (!ctx.channel().isActive() || openExchanges > 0) {
            // A request is in progress; responseFinished() starts the clock again.
            return;
        }
        long elapsed = System.nanoTime() - sinceNanos;
        long limit = headStarted ? headerTimeoutNanos : idleTimeoutNanos;
        if (elapsed < limit) {
            timer = ctx.executor().schedule(this::check, Math.min(limit - elapsed, tickNanos), TimeUnit.NANOSECONDS);
            return;
        }
        if (headStarted) {
            // Written below the codec on purpose: the codec holds a half-read request and must not see it.
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
