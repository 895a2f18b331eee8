package dev.readmit.profiles.replay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * Per-event-loop state of a replay: the bootstrap that opens connections on this loop, the loop's share
 * of the connection cap and the pools waiting for a free slot. Every field is touched only on {@link
 * #loop}, so none needs {@code volatile} or a lock.
 */
final class LoopContext {
    final EventLoop loop;
    /** Index of this loop, selecting its single-writer recorders. */
    final int index;

    final Bootstrap bootstrap;
    /** Opens WebSocket connections (HTTP codec for the upgrade, then frames). */
    final Bootstrap webSocketBootstrap;
    /** Opens raw TCP line connections. */
    final Bootstrap tcpBootstrap;

    final int maxConnections;
    final ReplayEngine engine;
    final ConnectionPool sharedPool;
    final SendSchedule sendSchedule;
    private final ArrayDeque<ConnectionPool> starved = new ArrayDeque<>();
    int open;

    LoopContext(
            EventLoop loop,
            int index,
            Bootstrap bootstrap,
            Bootstrap webSocketBootstrap,
            Bootstrap tcpBootstrap,
            int maxConnections,
            ReplayEngine engine) {
        this.loop = loop;
        this.index = index;
        this.bootstrap = bootstrap;
        this.webSocketBootstrap = webSocketBootstrap;
        this.tcpBootstrap = tcpBootstrap;
        this.maxConnections = maxConnections;
        this.engine = engine;
        this.sharedPool = new ConnectionPool(this, true, Integer.MAX_VALUE);
        this.sendSchedule = new SendSchedule(loop);
    }

    boolean hasRoom() {
        return open < maxConnections;
    }

    void waitForRoom(ConnectionPool pool) {
        if (!starved.contains(pool)) {
            starved.add(pool);
        }
    }

    /** A connection closed: let a pool that waits for room open one. */
    void roomFreed() {
        while (hasRoom() && !starved.isEmpty()) {
            ConnectionPool pool = starved.peek();
            if (!pool.openForPending()) {
                starved.poll();
            }
        }
    }
}
