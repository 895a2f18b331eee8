package dev.readmit.gateway.proxy;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.PipelineNames;
import dev.readmit.gateway.config.HostHeaderPolicy;
import dev.readmit.gateway.config.LimitSettings;
import dev.readmit.gateway.config.UpstreamSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of an HTTP connection: sends each request to the upstream and streams the response
 * back, one exchange at a time.
 *
 * <p>Implementation notes.
 *
 * <ul>
 *   <li>One request at a time per connection: the next request (pipelined or not) is not looked at until
 *       the current response is complete, so responses leave in request order. Decoded messages that
 *       arrive early wait in {@code inbound}, which holds at most one read's worth because the client
 *       channel reads only when this handler asks ({@code AUTO_READ} off).
 *   <li>Backpressure: the client is read only while the upstream is writable and the request body is
 *       wanted; the upstream is read only while the client is writable. Neither side's data piles up in
 *       the gateway, whatever the body size.
 *   <li>A response is complete only when its last part arrived from a healthy upstream. When the
 *       upstream fails after the response head went out, the client connection is closed without the
 *       terminating chunk, so the client sees a truncated response as truncated.
 *   <li>Error answers go out with {@code Connection: close}: after an error the gateway cannot know where
 *       the client's next request starts.
 *   <li>{@code Expect: 100-continue} is answered by the gateway once an upstream connection is ready (not
 *       before, so a client does not send a large body that would only earn a 502); the upstream sees the
 *       request without {@code Expect}, and informational responses from the upstream are dropped.
 *   <li>A kept-alive upstream connection can be closed by the upstream just as a request goes out. A
 *       request with a safe method (GET, HEAD, OPTIONS) and no body that fails that way before any answer
 *       is sent once more, on a new connection; nothing else is ever retried.
 *   <li>A WebSocket upgrade answered with {@code 101} turns both connections into byte relays ({@link
 *       RelayHandler}); every HTTP stage is removed from the client pipeline.
 * </ul>
 *
 * <p>One instance per client connection; everything runs on the connection's event loop, which is also
 * the upstream connection's loop, so no field needs {@code volatile}.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamExchange {

    private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);

    private static final int IDLE = 0;
    private static final int CONNECTING = 1;
    private static final int SENDING = 2;
    private static final int AWAITING = 3;

    private final UpstreamPool pool;
    private final UpstreamObserver observer;
    private final NanoClock clock;
    private final HostHeaderPolicy hostPolicy;
    private final String upstreamAuthority;
    private final long responseTimeoutNanos;
    private final long readTimeoutNanos;
    private final long sendTimeoutNanos;
    /** Since when the client has not been writable; 0 while it is. */
    private long clientBlockedSinceNanos;

    private ScheduledFuture<?> sendTimer;
    private final long requestBodyTimeoutNanos;
    private final long maxContentLength;
    private final ArrayDeque<HttpObject> inbound = new ArrayDeque<>(4);

    private ChannelHandlerContext ctx;
    private String clientAddress;
    private int state = IDLE;
    private boolean processing;
    private boolean closed;
    private boolean draining;

    private UpstreamConnection upstream;
    private HttpRequest pendingHead;
    private boolean headRequest;
    private boolean clientKeepAlive;
    private boolean clientHttp11;
    private boolean sendContinue;
    private boolean webSocket;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean skippingInformational;
    private boolean switching;
    private boolean closeAfterResponse;
    private ScheduledFuture<?> responseTimer;
    private long responseDeadlineNanos;
    /** While a request body is being relayed: when the client must have sent more by; 0 when not armed. */
    private ScheduledFuture<?> bodyTimer;

    private long bodyDeadlineNanos;
    private HttpRequest sentHead;
    private boolean replayable;
    private boolean upstreamReused;
    private boolean retried;
    private boolean inFlight;
    private long startNanos;
    /** When the current request parked for a slot, and how long it waited for one (0: got one at once). */
    private long parkedAtNanos;

    private long slotWaitNanos;

    /**
     * @param observer told about each request sent upstream; {@link UpstreamObserver#NONE} for none
     * @param clock the time source for the observer's latencies
     */
    public HttpProxyHandler(
            UpstreamPool pool,
            UpstreamSettings upstream,
            LimitSettings limits,
            UpstreamObserver observer,
            NanoClock clock) {
        this.pool = pool;
        this.observer = observer;
        this.clock = clock;
        this.hostPolicy = upstream.hostHeader();
        this.upstreamAuthority = upstream.authority();
        this.responseTimeoutNanos = upstream.responseTimeout().toNanos();
        this.readTimeoutNanos = upstream.readTimeout().toNanos();
        this.sendTimeoutNanos = limits.responseSendTimeout().toNanos();
        this.requestBodyTimeoutNanos = limits.requestBodyTimeout().toNanos();
        this.maxContentLength = limits.maxContentLength();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        SocketAddress remote = ctx.channel().remoteAddress();
        clientAddress = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(remote);
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inbound.add(http);
        process();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && state == SENDING) {
            upstream.flush();
        }
        readIfWanted();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            clientBlockedSinceNanos = 0;
            if (upstream != null && state != CONNECTING) {
                upstream.read();
            }
        } else if (clientBlockedSinceNanos == 0) {
            clientBlockedSinceNanos = System.nanoTime();
            if (sendTimer == null && responseStarted && !closed) {
                sendTimer = ctx.executor().schedule(this::sendTimerFired, sendTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainSignal.INSTANCE) {
            draining = true;
            if (state == IDLE && inbound.isEmpty() && !closed) {
                closed = true;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        abandon();
        releaseInbound();
        stopResponseTimer();
        stopBodyTimer();
        if (sendTimer != null) {
            sendTimer.cancel(false);
            sendTimer = null;
        }
        if (upstream != null) {
            // Mid-exchange: the upstream connection is in an unknown state and cannot be reused.
            upstream.close();
            upstream = null;
        }
        releasePendingHead();
        ctx.fireChannelInactive();
    }

    /** The last stage: nothing behind it would handle an exception, so the connection ends here. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        HttpErrorHandler.logClientFailure(log, ctx, cause);
        closed = true;
        abandon();
        releaseInbound();
        ctx.close();
    }

    private void abandon() {
        if (inFlight) {
            inFlight = false;
            observer.requestAbandoned(clock.nanoTime() - startNanos);
        }
    }

    private void failed(Throwable cause) {
        if (inFlight) {
            inFlight = false;
            UpstreamFailure.Kind kind =
                    cause instanceof UpstreamFailure f ? f.kind() : UpstreamFailure.Kind.UNREACHABLE;
            observer.requestFailed(kind, clock.nanoTime() - startNanos);
        }
    }

    // ---- request side ----

    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        try {
            while (!closed) {
                if (state == IDLE) {
                    HttpObject msg = inbound.poll();
                    if (msg == null) {
                        break;
                    }
                    if (msg instanceof HttpRequest request) {
                        startExchange(request);
                    } else {
                        // The rest of a request that was answered and closed: nothing wants it.
                        ReferenceCountUtil.release(msg);
                    }
                } else if (state == SENDING) {
                    if (!upstream.isWritable()) {
                        break;
                    }
                    HttpObject msg = inbound.poll();
                    if (msg == null) {
                        break;
                    }
                    sendContent((HttpContent) msg);
                } else {
                    break;
                }
            }
        } finally {
            processing = false;
        }
    }

    private void startExchange(HttpRequest request) {
        headRequest = HttpMethod.HEAD.equals(request.method());
        clientHttp11 = request.protocolVersion().isKeepAliveDefault();
        clientKeepAlive = isKeepAlive(request) && !draining;
        requestComplete = request instanceof LastHttpContent;
        responseStarted = false;
        responseKeepAlive = false;
        skippingInformational = false;
        switching = false;
        closeAfterResponse = false;

        if (HttpMethod.CONNECT.equals(request.method())) {
            // A reverse proxy is not a tunnel: CONNECT would turn the upstream connection into raw bytes.
            ReferenceCountUtil.release(request);
            respondError(HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            ReferenceCountUtil.release(request);
            respondError(HttpResponseStatus.EXPECTATION_FAILED);
            return;
        }
        long contentLength = HttpUtil.getContentLength(request, -1L);
        if (contentLength > maxContentLength) {
            ReferenceCountUtil.release(request);
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        // Each header question below is a lookup (and containsValue an iterator): ask only when the
        // header is there at all, which for most requests it is not.
        sendContinue = expect != null && HttpUtil.is100ContinueExpected(request);
        if (sendContinue) {
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        webSocket =
                request.headers().contains(HttpHeaderNames.UPGRADE) && ForwardingHeaders.isWebSocketUpgrade(request);
        HttpMethod method = request.method();
        replayable = !webSocket
                && !(request instanceof HttpContent)
                && (method.equals(HttpMethod.GET)
                        || method.equals(HttpMethod.HEAD)
                        || method.equals(HttpMethod.OPTIONS))
                && contentLength <= 0
                && !isChunked(request);
        retried = false;
        sentHead = null;
        ForwardingHeaders.prepareRequest(request, clientAddress, hostPolicy, upstreamAuthority, webSocket);
        pendingHead = request;
        state = CONNECTING;
        slotWaitNanos = 0;
        if (observer.tryAcquireSlot()) {
            beginUpstream();
        } else {
            // The upstream is at its concurrency limit: this admitted request waits here for a slot,
            // and the slot is handed over by whoever frees one (reading stays pending if the request is
            // complete, see readIfWanted).
            parkedAtNanos = clock.nanoTime();
            observer.awaitSlot(slotWaiter);
        }
    }

    private final Runnable slotGranted = this::slotGranted;

    /** Parked for a slot; called on the thread that freed one, so it touches nothing but the channel. */
    private final UpstreamObserver.SlotWaiter slotWaiter = () -> {
        if (!ctx.channel().isActive()) {
            return false;
        }
        ctx.channel().eventLoop().execute(slotGranted);
        return true;
    };

    private void slotGranted() {
        if (closed || state != CONNECTING || pendingHead == null) {
            // The client left between the hand-over and now: give the slot back unused.
            observer.requestAbandoned(0);
            return;
        }
        // Part of what the client waits for: the health gate judges it with the upstream's latency.
        slotWaitNanos = Math.max(0, clock.nanoTime() - parkedAtNanos);
        beginUpstream();
    }

    private void beginUpstream() {
        inFlight = true;
        startNanos = clock.nanoTime();
        observer.requestStarted();
        pool.acquire(ctx.channel().eventLoop(), this);
    }

    @Override
    public void onUpstreamAcquired(UpstreamConnection connection) {
        if (closed || state != CONNECTING) {
            // The client went away while the connection was being made; it is clean, so keep it.
            connection.release();
            return;
        }
        upstream = connection;
        upstreamReused = connection.isReused();
        HttpRequest head = pendingHead;
        pendingHead = null;
        state = requestComplete ? AWAITING : SENDING;
        if (!requestComplete) {
            armBodyTimer();
        }
        upstream.write(head);
        if (replayable) {
            // Not reference-counted: kept so the request can be sent again if this connection was stale.
            sentHead = head;
            if (retried) {
                upstream.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
        if (requestComplete) {
            armResponseTimer();
        }
        if (sendContinue) {
            sendContinue = false;
            ctx.writeAndFlush(
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                    ctx.voidPromise());
        }
        process();
        upstream.flush();
        upstream.read();
        readIfWanted();
    }

    @Override
    public void onUpstreamUnavailable(Throwable cause) {
        if (closed || state != CONNECTING) {
            return;
        }
        releasePendingHead();
        failed(cause);
        respondError(ErrorResponses.forUpstreamFailure(cause));
    }

    private void sendContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (replayable
                && (!last
                        || content.content().isReadable()
                        || !((LastHttpContent) content).trailingHeaders().isEmpty())) {
            replayable = false;
        }
        upstream.write(content);
        if (!last) {
            armBodyTimer();
        } else {
            bodyDeadlineNanos = 0;
            requestComplete = true;
            state = AWAITING;
            upstream.flush();
            if (!responseStarted) {
                armResponseTimer();
            }
        }
    }

    @Override
    public void onUpstreamWritable() {
        if (state == SENDING) {
            // The wait for the upstream to take the body was not the client's: its time starts again.
            armBodyTimer();
            process();
            upstream.flush();
            readIfWanted();
        }
    }

    private void readIfWanted() {
        if (closed || !inbound.isEmpty()) {
            return;
        }
        // While the response is awaited a read stays pending too: it notices a client that goes away, and
        // keeps the transport from switching read interest off and on again for every request (a system
        // call each way with epoll). What it brings in waits in the queue, which stops further reads.
        // The same while a complete request waits for an upstream slot or connection (CONNECTING): under
        // a concurrency limit that is most requests of a busy gateway. A request whose body is still to
        // come is not read on before it has somewhere to go.
        if (((state == IDLE || state == AWAITING || (state == CONNECTING && requestComplete)) && !draining)
                || (state == SENDING && upstream.isWritable())) {
            ctx.read();
        }
    }

    // ---- response side ----

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            upstreamFailed(new UpstreamFailure(
                    UpstreamFailure.Kind.UNREACHABLE,
                    "malformed upstream response",
                    msg.decoderResult().cause()));
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (!responseHead(response)) {
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInformational) {
                content.release();
                skippingInformational = !(content instanceof LastHttpContent);
            } else if (content instanceof LastHttpContent last) {
                finishExchange(last);
            } else {
                armReadTimer();
                ctx.write(content, ctx.voidPromise());
            }
        }
    }

    /** Writes the response head; false when the message was consumed and nothing more is to be done. */
    private boolean responseHead(HttpResponse response) {
        int code = response.status().code();
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101) {
            skippingInformational = true;
            return true;
        }
        armReadTimer();
        if (inFlight) {
            inFlight = false;
            observer.responseReceived(code, clock.nanoTime() - startNanos, slotWaitNanos);
        }
        if (code == 101) {
            if (!webSocket) {
                ReferenceCountUtil.release(response);
                upstreamFailed(new UpstreamFailure(
                        UpstreamFailure.Kind.UNREACHABLE, "upstream switched protocols unasked", null));
                return false;
            }
            ForwardingHeaders.prepareResponse(response);
            FullHttpResponse full =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(), Unpooled.EMPTY_BUFFER);
            full.headers().set(response.headers());
            ReferenceCountUtil.release(response);
            responseStarted = true;
            switching = true;
            ctx.writeAndFlush(full, ctx.voidPromise());
            return true;
        }
        responseStarted = true;
        responseKeepAlive = isKeepAlive(response);
        ForwardingHeaders.prepareResponse(response);
        boolean bodyless = headRequest || code == 204 || code == 304;
        boolean chunked = isChunked(response);
        if (!bodyless && !chunked && !HttpUtil.isContentLengthSet(response)) {
            // The upstream ends this body by closing; re-frame it for the client so the connection can stay.
            if (clientHttp11) {
                HttpUtil.setTransferEncodingChunked(response, true);
                chunked = true;
            } else {
                closeAfterResponse = true;
            }
        }
        if (!clientHttp11 && chunked) {
            // HTTP/1.0 has no chunked framing: the body is sent as it comes and ended by closing.
            HttpUtil.setTransferEncodingChunked(response, false);
            closeAfterResponse = true;
        }
        if (!requestComplete || !clientKeepAlive || draining) {
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientHttp11) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.write(response, ctx.voidPromise());
        return true;
    }

    /** As {@link HttpUtil#isKeepAlive}, without a header scan when there is no {@code Connection} header. */
    private static boolean isKeepAlive(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.CONNECTION)
                ? HttpUtil.isKeepAlive(message)
                : message.protocolVersion().isKeepAliveDefault();
    }

    /** As {@link HttpUtil#isTransferEncodingChunked}, without a header scan when there is no such header. */
    private static boolean isChunked(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && HttpUtil.isTransferEncodingChunked(message);
    }

    private void finishExchange(LastHttpContent last) {
        if (switching) {
            last.release();
            switchToRelay();
            return;
        }
        UpstreamConnection up = upstream;
        upstream = null;
        bodyDeadlineNanos = 0;
        cancelResponseTimer();
        if (requestComplete && responseKeepAlive) {
            up.release();
        } else {
            up.close();
        }
        state = IDLE;
        if (closeAfterResponse || draining) {
            closed = true;
            releaseInbound();
            ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(last, ctx.voidPromise());
        process();
        readIfWanted();
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
        if (upstream != null && ctx.channel().isWritable()) {
            upstream.read();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        upstream = null;
        upstreamFailed(cause);
    }

    private void upstreamFailed(Throwable cause) {
        cancelResponseTimer();
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        if (closed) {
            return;
        }
        if (!responseStarted
                && replayable
                && requestComplete
                && upstreamReused
                && !retried
                && cause instanceof UpstreamFailure failure
                && failure.kind() == UpstreamFailure.Kind.UNREACHABLE) {
            // A kept-alive connection the upstream closed just as the request went out: the request had no
            // body and a safe method, and no answer came, so it is sent once more on a new connection.
            retried = true;
            pendingHead = sentHead;
            sentHead = null;
            state = CONNECTING;
            pool.acquireFresh(ctx.channel().eventLoop(), this);
            return;
        }
        failed(cause);
        if (responseStarted) {
            // Part of the response is out: closing is the only way to tell the client it is incomplete.
            closed = true;
            releaseInbound();
            ctx.close();
        } else {
            respondError(ErrorResponses.forUpstreamFailure(cause));
        }
    }

    /*
     * The response timer is lazy, like Netty's IdleStateHandler: arming moves a deadline and schedules a
     * task only when none is pending; a task that fires before the current deadline re-schedules itself for
     * the rest. Fast exchanges on a kept-alive connection thus schedule nothing per request.
     */
    private void armResponseTimer() {
        responseDeadlineNanos = System.nanoTime() + responseTimeoutNanos;
        if (responseTimer == null) {
            responseTimer =
                    ctx.executor().schedule(this::responseTimerFired, responseTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void responseTimerFired() {
        responseTimer = null;
        if (responseDeadlineNanos == 0 || closed) {
            return;
        }
        long left = responseDeadlineNanos - System.nanoTime();
        if (left > 0) {
            responseTimer = ctx.executor().schedule(this::responseTimerFired, left, TimeUnit.NANOSECONDS);
            return;
        }
        if (upstream == null) {
            responseDeadlineNanos = 0;
            return;
        }
        if (!responseStarted) {
            responseDeadlineNanos = 0;
            upstreamFailed(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no response in time", null));
        } else if (!ctx.channel().isWritable()) {
            // The client is slow to take the response, so the upstream is not read: not the upstream's wait
            // (the send timer watches the client).
            armReadTimer();
        } else {
            responseDeadlineNanos = 0;
            log.debug(
                    "upstream sent nothing more of the response to {} for {} ms: closing",
                    clientAddress,
                    readTimeoutNanos / 1_000_000);
            upstreamFailed(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "response stalled", null));
        }
    }

    /** From the response head on, the same timer waits for the next piece of the body ({@code readTimeout}). */
    private void armReadTimer() {
        responseDeadlineNanos = System.nanoTime() + readTimeoutNanos;
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(this::responseTimerFired, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Checks, while a response is relayed, that the client has not left it unwritable for the send timeout. */
    private void sendTimerFired() {
        sendTimer = null;
        if (closed || clientBlockedSinceNanos == 0 || upstream == null || !responseStarted) {
            return;
        }
        long blocked = System.nanoTime() - clientBlockedSinceNanos;
        if (blocked < sendTimeoutNanos) {
            sendTimer = ctx.executor().schedule(this::sendTimerFired, sendTimeoutNanos - blocked, TimeUnit.NANOSECONDS);
            return;
        }
        log.debug("client {} took nothing of its response for {} ms: closing", clientAddress, blocked / 1_000_000);
        clientTooSlowToRead();
    }

    /** A client that does not read its response: both connections close, the response incomplete. */
    private void clientTooSlowToRead() {
        stopBodyTimer();
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        closed = true;
        state = IDLE;
        releaseInbound();
        ctx.close();
    }

    /*
     * The body timer is lazy too. Each piece of body moves the deadline; a check that finds the gateway not
     * ready to read (the upstream not taking more, or pieces still queued) starts the client's time again,
     * as it is then the gateway that waits, not the client.
     */
    private void armBodyTimer() {
        bodyDeadlineNanos = System.nanoTime() + requestBodyTimeoutNanos;
        if (bodyTimer == null) {
            bodyTimer = ctx.executor().schedule(this::bodyTimerFired, requestBodyTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void bodyTimerFired() {
        bodyTimer = null;
        if (bodyDeadlineNanos == 0 || closed || state != SENDING) {
            return;
        }
        long now = System.nanoTime();
        if (upstream == null || !upstream.isWritable() || !inbound.isEmpty()) {
            bodyDeadlineNanos = now + requestBodyTimeoutNanos;
        }
        long left = bodyDeadlineNanos - now;
        if (left > 0) {
            bodyTimer = ctx.executor().schedule(this::bodyTimerFired, left, TimeUnit.NANOSECONDS);
            return;
        }
        bodyDeadlineNanos = 0;
        clientTooSlow();
    }

    /**
     * The client stopped sending its request body. The upstream connection is dropped (it holds half a
     * request), the slot given back without a latency sample (the upstream is not to blame), and the client
     * gets 408, or only the close if the response has begun.
     */
    private void clientTooSlow() {
        log.debug("client {} sent no request body for {} ms: 408", clientAddress, requestBodyTimeoutNanos / 1_000_000);
        abandon();
        stopResponseTimer();
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        if (responseStarted) {
            closed = true;
            releaseInbound();
            ctx.close();
        } else {
            respondError(HttpResponseStatus.REQUEST_TIMEOUT);
        }
    }

    private void stopBodyTimer() {
        bodyDeadlineNanos = 0;
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
    }

    private void cancelResponseTimer() {
        responseDeadlineNanos = 0;
    }

    private void stopResponseTimer() {
        responseDeadlineNanos = 0;
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    private void respondError(HttpResponseStatus status) {
        closed = true;
        state = IDLE;
        releaseInbound();
        ctx.writeAndFlush(ErrorResponses.create(ctx.alloc(), status)).addListener(LingeringClose.AFTER_RESPONSE);
    }

    private void releaseInbound() {
        HttpObject msg;
        while ((msg = inbound.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void releasePendingHead() {
        if (pendingHead != null) {
            ReferenceCountUtil.release(pendingHead);
            pendingHead = null;
        }
    }

    // ---- WebSocket ----

    /**
     * After the 101 went out: both connections become byte relays. The client's HTTP stages are removed
     * after the relay is in place, so bytes the codec still holds flow into the relay, not away.
     */
    private void switchToRelay() {
        Channel client = ctx.channel();
        Channel up = upstream.channel();
        upstream.unbind();
        upstream = null;
        closed = true;
        ChannelPipeline upPipeline = up.pipeline();
        upPipeline.replace(UpstreamConnection.class, PipelineNames.RELAY, new RelayHandler(client));
        upPipeline.remove(UpstreamPool.CODEC);

        ChannelPipeline pipeline = client.pipeline();
        List<Object> leftovers = new ArrayList<>(inbound);
        inbound.clear();
        pipeline.replace(this, PipelineNames.RELAY, new RelayHandler(up));
        List<String> httpStages = new ArrayList<>();
        boolean afterCodec = false;
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            if (e.getKey().equals(PipelineNames.HTTP_CODEC)) {
                afterCodec = true;
            } else if (e.getKey().equals(PipelineNames.RELAY)) {
                break;
            } else if (afterCodec) {
                httpStages.add(e.getKey());
            }
        }
        for (String name : httpStages) {
            pipeline.remove(name);
        }
        for (Object msg : leftovers) {
            ReferenceCountUtil.release(msg);
        }
        if (pipeline.get(PipelineNames.CLIENT_TIMEOUTS) != null) {
            pipeline.remove(PipelineNames.CLIENT_TIMEOUTS);
        }
        pipeline.remove(PipelineNames.HTTP_CODEC);
    }
}
