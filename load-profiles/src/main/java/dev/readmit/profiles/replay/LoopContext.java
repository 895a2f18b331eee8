package dev.readmit.profiles.replay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Per-event-loop state of a replay: the bootstrap that opens connections on this loop, the loop's share
 * of the connection cap ({@link #open} counts HTTP, WebSocket and TCP connections alike) and those waiting
 * for a free slot: HTTP connection pools and message sessions, in the order they began to wait. Every field is touched only on {@link
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
    private final ArrayDeque<RoomWaiter> starved = new ArrayDeque<>();
    /** What {@link #starved} holds, for a constant-time check (thousands of sessions may wait). */
    private final Set<RoomWaiter> starvedSet = Collections.newSetFromMap(new IdentityHashMap<>());

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

    /** Queues {@code waiter} (once) until a connection closes and there is room. */
    void waitForRoom(RoomWaiter waiter) {
        if (starvedSet.add(waiter)) {
            starved.add(waiter);
        }
    }

    /** A connection closed: let those that wait for room open connections, oldest first, while there is room. */
    void roomFreed() {
        while (hasRoom() && !starved.isEmpty()) {
            RoomWaiter waiter = starved.peek();
            if (!waiter.openForPending()) {
                starved.poll();
                starvedSet.remove(waiter);
            }
        }
    }

    /** Something that waits for room under the loop's connection cap. */
    interface RoomWaiter {
        /** Opens one connection for what waits; true if more still wait. */
        boolean openForPending();
    }
}
