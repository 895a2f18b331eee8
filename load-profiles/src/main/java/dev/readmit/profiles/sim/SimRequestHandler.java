package dev.readmit.profiles.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the simulated upstream: counts and drops request bodies as they stream in, hands each
 * complete request to the {@link CapacityModel}, and writes its answer; answers {@code /__sim/} requests
 * itself. A {@code GET} with {@code Upgrade: websocket} on any other path is upgraded, and the connection
 * handed to a {@link SimMessageHandler}.
 *
 * <p>Fields are touched only on the channel's event loop (the model's answers are handed back to it), so
 * they need no {@code volatile}. Answers on one connection keep request order: reading stops while a
 * request waits for its answer, and requests a client pipelined before that wait their turn here.
 */
final class SimRequestHandler extends ChannelInboundHandlerAdapter {

    static final String STATS_PATH = "/__sim/stats";
    static final String RESET_PEAKS_PATH = "/__sim/reset-peaks";
    private static final String SIM_PREFIX = "/__sim/";
    /** Largest WebSocket frame payload accepted, bytes; a larger one closes the connection. */
    private static final int MAX_FRAME_BYTES = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(SimRequestHandler.class);

    private enum Route {
        MODEL,
        STATS,
        RESET_PEAKS,
        NOT_FOUND,
        BAD_METHOD,
        UPGRADE
    }

    private record Request(Route route, boolean keepAlive, HttpVersion version) {}

    private final UpstreamSimulator simulator;
    private final SimTimer timer;
    private final CapacityModel model;
    private final LongAdder bodyBytesTotal;
    private final ArrayDeque<Request> pipelined = new ArrayDeque<>();

    private Route route;
    private boolean keepAlive;
    private HttpVersion version;
    private long bodyBytes;
    private boolean awaitingAnswer;
    private boolean failed;
    /** The head of a WebSocket upgrade request until its end arrives. */
    private HttpRequest upgrade;

    SimRequestHandler(UpstreamSimulator simulator, SimTimer timer, CapacityModel model, LongAdder bodyBytesTotal) {
        this.simulator = simulator;
        this.timer = timer;
        this.model = model;
        this.bodyBytesTotal = bodyBytesTotal;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (failed) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                if (request.decoderResult().isFailure()) {
                    failed = true;
                    log.debug("bad request from {}: {}", ctx.channel().remoteAddress(), request.decoderResult());
                    FullHttpResponse response =
                            textResponse(ctx, HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, "bad request\n");
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                route = isWebSocketUpgrade(request) ? Route.UPGRADE : route(request);
                upgrade = route == Route.UPGRADE ? request : null;
                keepAlive = HttpUtil.isKeepAlive(request);
                version = request.protocolVersion();
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent content) {
                bodyBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent && route == Route.UPGRADE) {
                upgrade(ctx);
                return;
            }
            if (msg instanceof LastHttpContent) {
                if (route == Route.MODEL) {
                    bodyBytesTotal.add(bodyBytes);
                }
                Request complete = new Request(route, keepAlive, version);
                if (awaitingAnswer) {
                    pipelined.addLast(complete);
                } else {
                    dispatch(ctx, complete);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isWebSocketUpgrade(HttpRequest request) {
        return request.method().equals(HttpMethod.GET)
                && HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
                        request.headers().get(HttpHeaderNames.UPGRADE))
                && !request.uri().startsWith(SIM_PREFIX);
    }

    /**
     * Answers the upgrade with {@code 101} (Netty's handshaker checks the key and version) and hands the
     * connection to a {@link SimMessageHandler}, which puts every message through the model.
     */
    private void upgrade(ChannelHandlerContext ctx) {
        HttpRequest head = upgrade;
        upgrade = null;
        if (awaitingAnswer) {
            // An upgrade pipelined behind a plain request: no client does this; refuse it plainly.
            log.debug(
                    "upgrade pipelined behind a request from {}; closing",
                    ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        FullHttpRequest request = new DefaultFullHttpRequest(
                head.protocolVersion(),
                head.method(),
                head.uri(),
                Unpooled.EMPTY_BUFFER,
                head.headers(),
                EmptyHttpHeaders.INSTANCE);
        String host = head.headers().get(HttpHeaderNames.HOST, "localhost");
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                        "ws://" + host + head.uri(), null, false, MAX_FRAME_BYTES)
                .newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ctx.pipeline().replace(this, "simulator", SimMessageHandler.webSocket(timer, model, bodyBytesTotal));
        handshaker.handshake(ctx.channel(), request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private static Route route(HttpRequest request) {
        String uri = request.uri();
        if (!uri.startsWith(SIM_PREFIX)) {
            return Route.MODEL;
        }
        String path = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?'));
        if (path.equals(STATS_PATH)) {
            return request.method().equals(HttpMethod.GET) ? Route.STATS : Route.BAD_METHOD;
        }
        if (path.equals(RESET_PEAKS_PATH)) {
            return request.method().equals(HttpMethod.POST) ? Route.RESET_PEAKS : Route.BAD_METHOD;
        }
        return Route.NOT_FOUND;
    }

    private void dispatch(ChannelHandlerContext ctx, Request request) {
        awaitingAnswer = true;
        // Stop reading until this request is answered: keeps answers in order, and a client that floods one
        // connection cannot grow the pipelined list without bound.
        ctx.channel().config().setAutoRead(false);
        switch (request.route()) {
            case STATS -> {
                String json;
                try {
                    json = JSON.writeValueAsString(simulator.stats());
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
                FullHttpResponse response = textResponse(ctx, request.version(), HttpResponseStatus.OK, json);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                write(ctx, request, response);
            }
            case RESET_PEAKS -> {
                simulator.resetPeaks();
                write(ctx, request, textResponse(ctx, request.version(), HttpResponseStatus.OK, "peaks reset\n"));
            }
            case NOT_FOUND -> write(
                    ctx,
                    request,
                    textResponse(
                            ctx,
                            request.version(),
                            HttpResponseStatus.NOT_FOUND,
                            "unknown simulator path: use GET " + STATS_PATH + " or POST " + RESET_PEAKS_PATH + "\n"));
            case BAD_METHOD -> write(
                    ctx,
                    request,
                    textResponse(
                            ctx,
                            request.version(),
                            HttpResponseStatus.METHOD_NOT_ALLOWED,
                            "use GET " + STATS_PATH + " and POST " + RESET_PEAKS_PATH + "\n"));
            case MODEL -> {
                try {
                    timer.execute(() -> model.arrive((outcome, queueNanos, serviceNanos) ->
                            ctx.executor().execute(() -> answer(ctx, request, outcome, queueNanos, serviceNanos))));
                } catch (RejectedExecutionException e) {
                    // The simulator is closing: nothing will answer this request.
                    ctx.close();
                }
            }
        }
    }

    private void answer(
            ChannelHandlerContext ctx, Request request, SimOutcome outcome, long queueNanos, long serviceNanos) {
        FullHttpResponse response =
                textResponse(ctx, request.version(), HttpResponseStatus.valueOf(outcome.status), outcome.body);
        response.headers()
                .set("x-sim-queue-ms", TimeUnit.NANOSECONDS.toMillis(queueNanos))
                .set("x-sim-service-ms", TimeUnit.NANOSECONDS.toMillis(serviceNanos));
        write(ctx, request, response);
    }

    private void write(ChannelHandlerContext ctx, Request request, FullHttpResponse response) {
        if (!request.keepAlive()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (request.version().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        awaitingAnswer = false;
        Request next = pipelined.pollFirst();
        if (next != null) {
            dispatch(ctx, next);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static FullHttpResponse textResponse(
            ChannelHandlerContext ctx, HttpVersion version, HttpResponseStatus status, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing connection from {} after an error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
