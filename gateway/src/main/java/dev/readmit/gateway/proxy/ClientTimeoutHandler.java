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
 * {@link #requestStarted()} and {@link #responseFinished()}. While a request is being handled no timer
 * runs: the upstream's timeouts and the admission stages' maximum wait apply then.
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
    private ChannelHandlerContext ctx;
    private int openExchanges;
    private boolean headStarted;
    private ScheduledFuture<?> timer;

    public ClientTimeoutHandler(LimitSettings limits) {
        this.headerTimeoutNanos = limits.requestHeaderTimeout().toNanos();
        this.idleTimeoutNanos = limits.clientIdleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            armIdle();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null) {
            armIdle();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (openExchanges == 0 && !headStarted && msg instanceof ByteBuf buf && buf.isReadable()) {
            headStarted = true;
            cancel();
            timer = ctx.executor().schedule(this::headTimedOut, headerTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    /** A complete request head was decoded: no client timer runs until its response is finished. */
    void requestStarted() {
        openExchanges++;
        headStarted = false;
        cancel();
    }

    /** A final response was written completely. */
    void responseFinished() {
        if (openExchanges > 0 && --openExchanges == 0) {
            armIdle();
        }
    }

    private void armIdle() {
        cancel();
        timer = ctx.executor().schedule(this::idleTimedOut, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void idleTimedOut() {
        timer = null;
        if (openExchanges == 0 && !headStarted) {
            ctx.close();
        }
    }

    private void headTimedOut() {
        timer = null;
        if (openExchanges == 0 && headStarted && ctx.channel().isActive()) {
            // Written below the codec on purpose: the codec holds a half-read request and must not see it.
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
