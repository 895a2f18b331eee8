package dev.readmit.profiles.replay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The clients of one event loop ordered by the intended time of their next request, fired in batches.
 *
 * <p>One timer per loop instead of one per request: a tick sends every request already due, then arms
 * the loop's timer for the next one, but never sooner than {@link #BATCH_NANOS} after this tick. At
 * high rates the loop thus wakes about once a millisecond and sends all that fell due in that
 * millisecond together, instead of waking (and allocating a timer task, and re-arming the kernel
 * timer) once per request; at low rates each request still leaves at its own time. A request is never
 * sent before its intended time.
 *
 * <p>Implementation notes: a binary min-heap over an array of clients keyed by {@link
 * ClientRunner#nextDueNanos}; a client is in it at most once (it has one next request), so adding and
 * taking the earliest cost O(log clients) and no allocation. Confined to its event loop: no locks, no
 * {@code volatile}.
 */
final class SendSchedule {
    /** Shortest gap between two ticks of one loop: sends due within it leave together. */
    static final long BATCH_NANOS = 1_000_000L;

    private final EventLoop loop;
    private final Runnable tick = this::tick;
    private ClientRunner[] heap = new ClientRunner[64];
    private int size;
    private ScheduledFuture<?> armed;
    private long armedAtNanos = Long.MAX_VALUE;
    private long lastTickNanos = Long.MIN_VALUE;
    private boolean ticking;

    SendSchedule(EventLoop loop) {
        this.loop = loop;
    }

    /** Queues {@code client}, not queued now, to fire at {@code dueNanos} ({@link System#nanoTime()} scale). */
    void add(ClientRunner client, long dueNanos) {
        client.nextDueNanos = dueNanos;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, client);
        if (!ticking) {
            arm();
        }
    }

    int size() {
        return size;
    }

    private void tick() {
        armed = null;
        armedAtNanos = Long.MAX_VALUE;
        long now = System.nanoTime();
        lastTickNanos = now;
        ticking = true;
        try {
            // A client fired here may queue itself again, already due if the generator runs late: it is
            // sent in this same pass, which is how an open loop catches up.
            // The clock is read again for every send: its send lag is taken from it, and a tick of many
            // sends must not report the later ones as earlier than they left.
            while (size > 0 && heap[0].nextDueNanos <= now) {
                ClientRunner c = poll();
                c.fireDue(now);
                now = System.nanoTime();
            }
        } finally {
            ticking = false;
        }
        arm();
    }

    /** Arms the loop's timer for the earliest client, unless an earlier or equal one is armed. */
    private void arm() {
        if (size == 0) {
            return;
        }
        long at = Math.max(heap[0].nextDueNanos, lastTickNanos + BATCH_NANOS);
        if (armed != null) {
            if (armedAtNanos <= at) {
                return;
            }
            armed.cancel(false);
        }
        armedAtNanos = at;
        armed = loop.schedule(tick, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private ClientRunner poll() {
        ClientRunner first = heap[0];
        ClientRunner last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
        return first;
    }

    private void siftUp(int index, ClientRunner c) {
        int i = index;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            ClientRunner p = heap[parent];
            if (p.nextDueNanos <= c.nextDueNanos) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = c;
    }

    private void siftDown(int index, ClientRunner c) {
        int i = index;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].nextDueNanos < heap[child].nextDueNanos) {
                child = right;
            }
            ClientRunner smaller = heap[child];
            if (c.nextDueNanos <= smaller.nextDueNanos) {
                break;
            }
            heap[i] = smaller;
            i = child;
        }
        heap[i] = c;
    }
}
