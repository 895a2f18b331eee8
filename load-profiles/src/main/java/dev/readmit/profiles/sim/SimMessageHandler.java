package dev.readmit.profiles.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message connection of the simulated upstream: a WebSocket after its upgrade, or a raw TCP line
 * connection. Every complete message (a final text or binary frame, or one line) goes through the {@link
 * CapacityModel} as a request does, and gets one answer: a text frame, or a line, {@code "<status>
 * <reason>"} such as {@code "200 served"} or {@code "503 overloaded: queue full"}, so a load generator can
 * count overload answers apart. A raw TCP connection is greeted with {@value #GREETING} first.
 *
 * <p>As for HTTP, one message per connection is in the model at a time: reading stops while it waits for
 * its answer and the messages already decoded wait their turn here, so answers keep message order. Fields
 * are touched only on the channel's event loop, so they need no {@code volatile}.
 */
final class SimMessageHandler extends ChannelInboundHandlerAdapter {

    /** The line a raw TCP connection receives on connect, before any answer. */
    static final String GREETING = "readmit-sim ready";

    private static final Logger log = LoggerFactory.getLogger(SimMessageHandler.class);

    private final boolean webSocket;
    private final SimTimer timer;
    private final CapacityModel model;
    private final LongAdder bodyBytesTotal;
    private int queued;
    private boolean awaitingAnswer;

    private SimMessageHandler(boolean webSocket, SimTimer timer, CapacityModel model, LongAdder bodyBytesTotal) {
        this.webSocket = webSocket;
        this.timer = timer;
        this.model = model;
        this.bodyBytesTotal = bodyBytesTotal;
    }

    /** For a connection that has just been upgraded to WebSocket. */
    static SimMessageHandler webSocket(SimTimer timer, CapacityModel model, LongAdder bodyBytesTotal) {
        return new SimMessageHandler(true, timer, model, bodyBytesTotal);
    }

    /** For a raw TCP connection behind a line decoder; greets it when it becomes active. */
    static SimMessageHandler lines(SimTimer timer, CapacityModel model, LongAdder bodyBytesTotal) {
        return new SimMessageHandler(false, timer, model, bodyBytesTotal);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!webSocket) {
            ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), GREETING + "\n"))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame) {
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof TextWebSocketFrame
                    || msg instanceof BinaryWebSocketFrame
                    || msg instanceof ContinuationWebSocketFrame) {
                WebSocketFrame frame = (WebSocketFrame) msg;
                bodyBytesTotal.add(frame.content().readableBytes());
                if (frame.isFinalFragment()) {
                    arrived(ctx);
                }
            } else if (msg instanceof ByteBuf line) {
                bodyBytesTotal.add(line.readableBytes());
                arrived(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void arrived(ChannelHandlerContext ctx) {
        if (awaitingAnswer) {
            queued++;
        } else {
            dispatch(ctx);
        }
    }

    private void dispatch(ChannelHandlerContext ctx) {
        awaitingAnswer = true;
        ctx.channel().config().setAutoRead(false);
        try {
            timer.execute(() -> model.arrive(
                    (outcome, queueNanos, serviceNanos) -> ctx.executor().execute(() -> answer(ctx, outcome))));
        } catch (RejectedExecutionException e) {
            // The simulator is closing: nothing will answer this message.
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, SimOutcome outcome) {
        String text = outcome.status + " " + outcome.body.strip();
        Object answer = webSocket
                ? new TextWebSocketFrame(ByteBufUtil.writeUtf8(ctx.alloc(), text))
                : ByteBufUtil.writeUtf8(ctx.alloc(), text + "\n");
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        awaitingAnswer = false;
        if (queued > 0) {
            queued--;
            dispatch(ctx);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug(
                "closing message connection from {} after an error",
                ctx.channel().remoteAddress(),
                cause);
        ctx.close();
    }
}
