package dev.readmit.profiles.replay;

import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;

/**
 * Keep-alive connections of one client (or, for {@code shared} profiles, of one event loop). An attempt
 * takes an idle connection, else opens a new one, so a busy connection never delays a request; only
 * when the loop's connection cap is reached does the attempt wait, and it is counted as late (its
 * latency still runs from its intended time). Confined to its event loop: no locks, no {@code
 * volatile}.
 */
final class ConnectionPool {
    private final LoopContext context;
    private final boolean reuse;
    private final ArrayDeque<ResponseHandler> idle = new ArrayDeque<>();
    private final ArrayDeque<Attempt> pending = new ArrayDeque<>();

    ConnectionPool(LoopContext context, boolean reuse) {
        this.context = context;
        this.reuse = reuse;
    }

    void submit(Attempt attempt) {
        ResponseHandler h;
        while ((h = idle.pollLast()) != null) {
            if (h.channel().isActive()) {
                h.send(attempt);
                return;
            }
        }
        if (context.hasRoom()) {
            connect(attempt);
        } else {
            context.engine.stats.lateForConnection.increment();
            pending.add(attempt);
            context.waitForRoom(this);
        }
    }

    /** Opens a connection for the oldest pending attempt; false when none is pending. */
    boolean openForPending() {
        Attempt next = pending.poll();
        if (next == null) {
            return false;
        }
        connect(next);
        return !pending.isEmpty();
    }

    private void connect(Attempt attempt) {
        context.open++;
        ReplayStats stats = context.engine.stats;
        stats.openConnections.incrementAndGet();
        stats.connectionsOpened.increment();
        ChannelFuture f = context.bootstrap.connect();
        f.addListener(done -> {
            if (f.isSuccess()) {
                ResponseHandler h = f.channel().pipeline().get(ResponseHandler.class);
                h.bind(this, f.channel());
                h.send(attempt);
            } else {
                connectionGone();
                attempt.client().completed(attempt, Outcome.CONNECT_FAILED, -1, System.nanoTime());
            }
        });
    }

    /** The answer on {@code h}'s connection is complete and the connection may be kept: reuse or park it. */
    void release(ResponseHandler h) {
        Attempt next = pending.poll();
        if (next != null) {
            h.send(next);
        } else if (reuse) {
            idle.addLast(h);
        } else {
            h.channel().close();
        }
    }

    /** {@code h}'s connection closed (by either side). */
    void closed(ResponseHandler h) {
        idle.remove(h);
        connectionGone();
    }

    private void connectionGone() {
        context.open--;
        context.engine.stats.openConnections.decrementAndGet();
        if (!pending.isEmpty() && context.hasRoom()) {
            openForPending();
        }
        context.roomFreed();
    }

    /** Closes the idle connections (a client's session ended). */
    void closeIdle() {
        ResponseHandler h;
        while ((h = idle.poll()) != null) {
            h.channel().close();
        }
    }
}
