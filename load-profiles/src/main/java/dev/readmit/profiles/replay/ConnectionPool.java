package dev.readmit.profiles.replay;

import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;

/**
 * Keep-alive connections of one client (or, for {@code shared} profiles, of one event loop). An attempt
 * takes an idle connection, else opens a new one, so a busy connection does not delay a request; only
 * when the pool's own cap ({@link ReplayOptions#maxConnectionsPerClient}) or the loop's cap is reached
 * does the attempt wait, and it is counted as late (its latency still runs from its intended time; its
 * send lag is taken when it is handed to a connection). Confined to its event loop: no locks, no {@code
 * volatile}.
 */
final class ConnectionPool implements LoopContext.RoomWaiter {
    private final LoopContext context;
    private final boolean reuse;
    private final int maxOpen;
    private int open;
    private final ArrayDeque<ResponseHandler> idle = new ArrayDeque<>();
    private final ArrayDeque<Attempt> pending = new ArrayDeque<>();

    ConnectionPool(LoopContext context, boolean reuse, int maxOpen) {
        this.context = context;
        this.reuse = reuse;
        this.maxOpen = maxOpen;
    }

    /** Sends {@code attempt} now on a free connection, or queues it for the next one; {@code now} is the time. */
    void submit(Attempt attempt, long now) {
        ResponseHandler h;
        while ((h = idle.pollLast()) != null) {
            if (h.channel().isActive()) {
                handOff(attempt, now);
                h.send(attempt, now);
                return;
            }
        }
        if (open < maxOpen && context.hasRoom()) {
            handOff(attempt, now);
            connect(attempt);
        } else {
            context.engine.stats.lateForConnection.increment();
            pending.add(attempt);
            if (open < maxOpen) {
                context.waitForRoom(this);
            }
        }
    }

    private void handOff(Attempt attempt, long now) {
        context.engine.stats.recordSend(context.index, attempt.scheduledNanos(), now);
    }

    /**
     * Opens a connection for the oldest pending attempt; false when none is pending or this pool is at
     * its own cap.
     */
    @Override
    public boolean openForPending() {
        if (open >= maxOpen) {
            return false;
        }
        Attempt next = pending.poll();
        if (next == null) {
            return false;
        }
        handOff(next, System.nanoTime());
        connect(next);
        return !pending.isEmpty();
    }

    private void connect(Attempt attempt) {
        open++;
        context.open++;
        ReplayStats stats = context.engine.stats;
        stats.openConnections.incrementAndGet();
        stats.connectionsOpened.increment();
        ChannelFuture f = context.bootstrap.connect();
        f.addListener(done -> {
            if (f.isSuccess()) {
                ResponseHandler h = f.channel().pipeline().get(ResponseHandler.class);
                h.bind(this, f.channel());
                h.send(attempt, System.nanoTime());
            } else {
                connectionGone();
                attempt.client().completed(attempt, Outcome.CONNECT_FAILED, -1, System.nanoTime());
            }
        });
    }

    /** The answer on {@code h}'s connection completed at {@code now} and the connection may be kept: reuse or park it. */
    void release(ResponseHandler h, long now) {
        Attempt next = pending.poll();
        if (next != null) {
            handOff(next, now);
            h.send(next, now);
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
        open--;
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
