package dev.readmit.profiles.replay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Date;
import java.util.concurrent.TimeUnit;

/**
 * Sends attempts on one connection and turns the answer into an outcome. Request heads are written
 * pre-encoded ({@link RequestWriter}); bodies are synthesised from a shared read-only buffer and
 * streamed in slices; answers are never aggregated: each part is released
 * as it arrives. One instance per channel, confined to its event loop, so its fields need no {@code
 * volatile}.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {
    static final String TICKET_HEADER = "Readmit-Ticket";
    private static final int SLICE_BYTES = 64 * 1024;
    /** Initial size of a request head's buffer; it grows if a head is longer. */
    private static final int HEAD_BYTES = 256;

    private final ReplayEngine engine;
    private final ResponseDecoder decoder;
    private ChannelHandlerContext ctx;
    private ConnectionPool pool;
    private Channel channel;
    private Attempt current;
    private int status;
    private long retryAfterMillis;
    private boolean keepAlive;
    private boolean failed;
    private ScheduledFuture<?> timeout;
    private long deadlineNanos;

    ResponseHandler(ReplayEngine engine, ResponseDecoder decoder) {
        this.engine = engine;
        this.decoder = decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called once the connection is open, before the first {@link #send}. */
    void bind(ConnectionPool pool, Channel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    /** Writes {@code attempt} on this connection; {@code now} is the current {@link System#nanoTime()}. */
    void send(Attempt attempt, long now) {
        current = attempt;
        status = 0;
        retryAfterMillis = -1;
        keepAlive = true;
        failed = false;
        PlannedRequest r = attempt.request();
        decoder.expect(r.method());
        deadlineNanos = now + engine.requestTimeoutNanos();
        if (timeout == null) {
            timeout = channel.eventLoop()
                    .schedule(this::checkTimeout, engine.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
        ByteBuf head = ctx.alloc().ioBuffer(HEAD_BYTES);
        attempt.client().writeHead(head, r);
        long bytes = r.bodyBytes();
        if (bytes == 0) {
            // A void promise fires exceptionCaught on failure, which closes the connection.
            ctx.writeAndFlush(head, ctx.voidPromise());
            return;
        }
        ctx.write(head, ctx.voidPromise());
        ByteBuf body = engine.body();
        while (bytes > 0) {
            int n = (int) Math.min(bytes, SLICE_BYTES);
            ctx.write(body.slice(0, n), ctx.voidPromise());
            bytes -= n;
        }
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (current == null) {
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    failed = true;
                    keepAlive = false;
                } else if (response.status().code() >= 200 || response.status().code() == 101) {
                    status = response.status().code();
                    keepAlive = HttpUtil.isKeepAlive(response);
                    // Only a waiting answer's Retry-After is used: no look-up for every other answer.
                    if (status == 429 || status == 503) {
                        retryAfterMillis = retryAfterMillis(response.headers());
                    }
                    current.client().takeTicket(response.headers());
                }
            }
            if (msg instanceof LastHttpContent && status != 0) {
                complete(failed ? Outcome.ERROR : Outcome.ofStatus(status, retryAfterMillis >= 0));
            } else if (failed) {
                complete(Outcome.ERROR);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void complete(Outcome outcome) {
        Attempt a = current;
        current = null;
        long now = System.nanoTime();
        if (keepAlive && !failed) {
            pool.release(this, now);
        } else {
            channel.close();
        }
        a.client().completed(a, outcome, retryAfterMillis, now);
    }

    /**
     * The timeout timer is armed once and pushed back lazily (as Netty's IdleStateHandler does): a
     * request that completes in time costs no timer operation, only a new deadline.
     */
    private void checkTimeout() {
        timeout = null;
        Attempt a = current;
        if (a == null) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            timeout = channel.eventLoop().schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
            return;
        }
        current = null;
        channel.close();
        a.client().completed(a, Outcome.TIMEOUT, -1, System.nanoTime());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Attempt a = current;
        current = null;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (pool != null) {
            pool.closed(this);
        }
        if (a != null) {
            a.client().completed(a, Outcome.CLOSED, -1, System.nanoTime());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The connection is unusable; channelInactive records the outcome of the attempt on it.
        ctx.close();
    }

    /** {@code Retry-After} in milliseconds from now (delta-seconds or HTTP-date), or -1 if absent or bad. */
    static long retryAfterMillis(HttpHeaders headers) {
        String v = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (v == null) {
            return -1;
        }
        v = v.trim();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && Double.isFinite(seconds) ? Math.round(seconds * 1000) : -1;
        } catch (NumberFormatException notSeconds) {
            Date date = DateFormatter.parseHttpDate(v);
            return date == null ? -1 : Math.max(0, date.getTime() - System.currentTimeMillis());
        }
    }
}
