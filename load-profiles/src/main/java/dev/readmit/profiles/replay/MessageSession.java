package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The one long-lived connection of a WebSocket or raw TCP client, and the messages on it.
 *
 * <p>The connection is what the target admits. WebSocket: an HTTP upgrade (Netty's {@link
 * WebSocketClientHandshaker}) with the client's key, ticket and cookies; {@code 101} admits it, a
 * waiting answer ({@code 429}, {@code 503} with {@code Retry-After}) is a rejection, any other answer a
 * failure. Raw TCP: the first line the upstream sends (its greeting) admits it; a close before it, or no
 * greeting within the request timeout, is a rejection ({@link Outcome#NOT_ADMITTED}): a gateway in TCP
 * mode holds a waiting connection and closes it after its maximum wait. The {@link ClientRunner} decides
 * what a rejection or failure means for its plan; this class only reports it.
 *
 * <p>Once open, every message is one text frame, or one line ({@code n - 1} bytes and a newline), of its
 * planned size, and the answers (one per message, in order) are matched first in, first out. An answer
 * whose text starts with a three-digit status and a space (as {@code readmit upstream-sim} writes {@code
 * "503 overloaded: queue full"}) is counted by that status; any other answer is {@link Outcome#OK}.
 *
 * <p>Timeouts: the upgrade or greeting, and the oldest unanswered message, get the replay's request
 * timeout, measured from when it was sent or from the previous answer on the connection. A message that
 * times out closes the connection (its later answers could not be matched any more); the other
 * unanswered messages end {@link Outcome#CLOSED}, and the client's next message opens a new connection.
 *
 * <p>Confined to the client's event loop: no locks, no {@code volatile}.
 */
final class MessageSession implements LoopContext.RoomWaiter {
    private static final int MAX_FRAME_BYTES = 16 << 20;
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final ByteBuf NEWLINE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {'\n'}).asReadOnly());

    private enum State {
        /** No connection; the client's next due message opens one. */
        IDLE,
        /** The loop's connection cap ({@code --max-connections}) is reached: connects when one closes. */
        WAITING_FOR_ROOM,
        /** Connecting, or waiting for the upgrade's answer or the greeting. */
        CONNECTING,
        /** Admitted: messages are sent as they fall due. */
        OPEN,
        /** Rejected; the client has scheduled the next connection attempt. */
        RETRY_WAIT,
        /** The client's session is over. */
        ENDED
    }

    private final ClientRunner client;
    private final LoopContext context;
    private final Transport transport;
    private final ArrayDeque<Attempt> inFlight = new ArrayDeque<>();
    private State state = State.IDLE;
    private Channel channel;
    private Attempt connecting;
    private WebSocketClientHandshaker handshaker;
    private Outcome fragmentedAnswer;
    private ScheduledFuture<?> timeout;
    private long deadlineNanos;

    MessageSession(ClientRunner client, LoopContext context, Transport transport) {
        this.client = client;
        this.context = context;
        this.transport = transport;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    boolean isIdle() {
        return state == State.IDLE;
    }

    /** A rejection was reported: the client will call {@link #connect} again after its wait. */
    void awaitRetry() {
        if (state == State.IDLE) {
            state = State.RETRY_WAIT;
        }
    }

    /**
     * Opens the connection; {@code attempt} is the connection attempt (its request gives the time the
     * plan wanted the connection, its number the attempt count) and ends in {@link
     * ClientRunner#connectionEnded} or {@link ClientRunner#connected}.
     */
    void connect(Attempt attempt) {
        if (state == State.ENDED) {
            return;
        }
        ReplayStats stats = context.engine.stats;
        if (!context.hasRoom()) {
            // Counted late, as an HTTP request that waits for a connection is; its send lag is taken when
            // the connection opens.
            stats.lateForConnection.increment();
            state = State.WAITING_FOR_ROOM;
            connecting = attempt;
            context.waitForRoom(this);
            return;
        }
        long now = System.nanoTime();
        context.open++;
        stats.recordSend(context.index, attempt.scheduledNanos(), now);
        stats.openConnections.incrementAndGet();
        stats.connectionsOpened.increment();
        state = State.CONNECTING;
        connecting = attempt;
        ChannelFuture f =
                (transport == Transport.WEBSOCKET ? context.webSocketBootstrap : context.tcpBootstrap).connect();
        Channel ch = f.channel();
        channel = ch;
        armTimeout(now);
        f.addListener(done -> {
            if (!f.isSuccess()) {
                // Never active, so no channelInactive: the count goes down here.
                stats.openConnections.decrementAndGet();
                context.open--;
                if (channel == ch) {
                    channel = null;
                    ended(Outcome.CONNECT_FAILED, -1);
                }
                context.roomFreed();
                return;
            }
            // Bound first: its channelInactive is what takes the connection off the count.
            ch.pipeline().get(MessageConnectionHandler.class).bind(this);
            if (channel != ch) {
                ch.close();
                return;
            }
            if (transport == Transport.WEBSOCKET) {
                HttpHeaders headers = new DefaultHttpHeaders();
                client.addUpgradeHeaders(headers);
                handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                        client.upgradeUri(), WebSocketVersion.V13, null, false, headers, MAX_FRAME_BYTES);
                handshaker.handshake(ch).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        });
    }

    /**
     * Sends {@code message} on the open connection at {@code now}; {@code readyNanos} is when it could
     * first leave (when the connection was admitted, for a message that waited for it), for the send lag.
     */
    void send(Attempt message, long readyNanos, long now) {
        context.engine.stats.recordSend(context.index, message.scheduledNanos(), readyNanos, now);
        inFlight.addLast(message);
        if (inFlight.size() == 1) {
            armTimeout(now);
        }
        long bytes = message.request().bodyBytes();
        if (transport == Transport.WEBSOCKET) {
            channel.writeAndFlush(new TextWebSocketFrame(payload(bytes)), channel.voidPromise());
        } else {
            channel.write(payload(Math.max(0, bytes - 1)), channel.voidPromise());
            channel.writeAndFlush(NEWLINE.duplicate(), channel.voidPromise());
        }
    }

    /**
     * Ends the session: a close frame (WebSocket) or a close, and nothing more is sent; messages still
     * unanswered end {@link Outcome#CLOSED}.
     */
    void end() {
        State was = state;
        state = State.ENDED;
        Channel ch = channel;
        channel = null;
        if (ch == null) {
            return;
        }
        if (was == State.OPEN && transport == Transport.WEBSOCKET) {
            ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            // The peer answers a close frame with its own and closes; do not wait for a peer that does not.
            ch.eventLoop().schedule(() -> ch.close(), CLOSE_GRACE_NANOS, TimeUnit.NANOSECONDS);
        } else {
            ch.close();
        }
        // Normally none is left; a client that gives up (a message rejected max_attempts times) leaves some.
        failInFlight(Outcome.CLOSED);
    }

    /** What the connection's handler read; releases {@code msg}. */
    void read(Channel ch, Object msg) {
        try {
            if (ch != channel) {
                return;
            }
            if (state == State.CONNECTING) {
                if (msg instanceof FullHttpResponse response) {
                    upgradeAnswered(ch, response);
                } else if (msg instanceof ByteBuf) {
                    admitted();
                }
            } else if (state == State.OPEN) {
                if (msg instanceof ByteBuf line) {
                    answered(answerOutcome(line));
                } else if (msg instanceof PingWebSocketFrame ping) {
                    ch.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ch.voidPromise());
                } else if (msg instanceof CloseWebSocketFrame) {
                    ch.close();
                } else if (msg instanceof TextWebSocketFrame
                        || msg instanceof BinaryWebSocketFrame
                        || msg instanceof ContinuationWebSocketFrame) {
                    WebSocketFrame frame = (WebSocketFrame) msg;
                    if (fragmentedAnswer == null) {
                        fragmentedAnswer =
                                frame instanceof TextWebSocketFrame ? answerOutcome(frame.content()) : Outcome.OK;
                    }
                    if (frame.isFinalFragment()) {
                        Outcome outcome = fragmentedAnswer;
                        fragmentedAnswer = null;
                        answered(outcome);
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void upgradeAnswered(Channel ch, FullHttpResponse response) {
        client.takeTicket(response.headers());
        int status = response.status().code();
        if (status == 101) {
            try {
                handshaker.finishHandshake(ch, response);
            } catch (WebSocketHandshakeException e) {
                channel = null;
                ch.close();
                ended(Outcome.ERROR, -1);
                return;
            }
            admitted();
            return;
        }
        long retryAfter = status == 429 || status == 503 ? ResponseHandler.retryAfterMillis(response.headers()) : -1;
        channel = null;
        ch.close();
        ended(Outcome.ofStatus(status, retryAfter >= 0), retryAfter);
    }

    private void admitted() {
        state = State.OPEN;
        Attempt a = connecting;
        connecting = null;
        client.connected(a, System.nanoTime());
    }

    private void answered(Outcome outcome) {
        Attempt a = inFlight.pollFirst();
        if (a == null) {
            // An answer nobody asked for (a server's own push): not a measurement.
            return;
        }
        long now = System.nanoTime();
        if (!inFlight.isEmpty()) {
            deadlineNanos = now + context.engine.requestTimeoutNanos();
        }
        client.completed(a, outcome, -1, now);
    }

    /** The connection's handler saw it close. */
    void closed(Channel ch) {
        context.engine.stats.openConnections.decrementAndGet();
        context.open--;
        if (ch == channel) {
            channel = null;
            if (state == State.CONNECTING) {
                ended(transport == Transport.TCP ? Outcome.NOT_ADMITTED : Outcome.CLOSED, -1);
            } else if (state == State.OPEN) {
                state = State.IDLE;
                failInFlight(Outcome.CLOSED);
            }
        }
        context.roomFreed();
    }

    /** There is room under the loop's cap: the waiting connection attempt goes ahead. */
    @Override
    public boolean openForPending() {
        if (state == State.WAITING_FOR_ROOM) {
            state = State.IDLE;
            connect(connecting);
        }
        return false;
    }

    private void failInFlight(Outcome outcome) {
        Attempt a;
        while ((a = inFlight.pollFirst()) != null) {
            client.completed(a, outcome, -1, System.nanoTime());
        }
    }

    /** The connection attempt ended without admission. */
    private void ended(Outcome outcome, long retryAfterMillis) {
        state = State.IDLE;
        Attempt a = connecting;
        connecting = null;
        client.connectionEnded(a, outcome, retryAfterMillis, System.nanoTime());
    }

    /**
     * One timer per connection, armed once and pushed back lazily (as {@link ResponseHandler} does): an
     * answer in time costs a new deadline, not a timer operation.
     */
    private void armTimeout(long now) {
        deadlineNanos = now + context.engine.requestTimeoutNanos();
        if (timeout == null) {
            timeout = context.loop.schedule(
                    this::checkTimeout, context.engine.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void checkTimeout() {
        timeout = null;
        boolean waiting = state == State.CONNECTING || (state == State.OPEN && !inFlight.isEmpty());
        if (!waiting) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            timeout = context.loop.schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
            return;
        }
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
        if (state == State.CONNECTING) {
            // A raw TCP client that hears no greeting gives up and reconnects later, as it would on a close.
            ended(transport == Transport.TCP ? Outcome.NOT_ADMITTED : Outcome.TIMEOUT, -1);
        } else {
            state = State.IDLE;
            Attempt late = inFlight.pollFirst();
            client.completed(late, Outcome.TIMEOUT, -1, System.nanoTime());
            failInFlight(Outcome.CLOSED);
        }
    }

    private ByteBuf payload(long bytes) {
        ByteBuf text = context.engine.messageText();
        int slice = text.readableBytes();
        if (bytes <= slice) {
            return text.slice(0, (int) bytes);
        }
        int slices = (int) ((bytes + slice - 1) / slice);
        ByteBuf[] parts = new ByteBuf[slices];
        long left = bytes;
        for (int i = 0; i < slices; i++) {
            int n = (int) Math.min(left, slice);
            parts[i] = text.slice(0, n);
            left -= n;
        }
        return Unpooled.wrappedBuffer(parts);
    }

    /**
     * The outcome an answer stands for: its leading three-digit status followed by a space or the end (as
     * the simulated upstream writes {@code "200 served"}), else {@link Outcome#OK}.
     */
    static Outcome answerOutcome(ByteBuf answer) {
        int i = answer.readerIndex();
        int n = answer.readableBytes();
        if (n < 3 || (n > 3 && answer.getByte(i + 3) != ' ')) {
            return Outcome.OK;
        }
        int status = 0;
        for (int k = 0; k < 3; k++) {
            byte b = answer.getByte(i + k);
            if (b < '0' || b > '9') {
                return Outcome.OK;
            }
            status = status * 10 + (b - '0');
        }
        return status < 100 ? Outcome.OK : Outcome.ofStatus(status, false);
    }
}
