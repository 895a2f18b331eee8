package dev.readmit.gateway.admit;

import dev.readmit.admission.Decision;
import dev.readmit.admission.NanoClock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded FIFO line of held requests (waiting mode {@code hold}), one per gateway, shared by all
 * event loops.
 *
 * <p>A request that must wait is {@linkplain #offer offered}; a full room refuses it. {@link #drain}
 * walks the line from its head, asks the decider again for each held request and hands every
 * outcome to the request's {@link Entry#onDecided} exactly once: an admission, a rejection, or,
 * once a request has waited {@code maxWait}, the waiting answer of that moment. Draining runs on a
 * periodic tick ({@link #start}) and whenever {@link #wake()} reports that capacity became free.
 *
 * <p>Order: held requests are asked in arrival order. When the decider answers an eligible client
 * with {@link Decision.Wait} (its cohort is open but no token is left), no later request of the same
 * class is asked in that pass, so tokens go to the longest waiting; a client whose cohort is not yet
 * open does not block the ones behind it.
 *
 * <p>Thread safety: {@link #offer} and {@link Entry#cancel} are lock-free (a {@link
 * ConcurrentLinkedQueue} and an {@link AtomicInteger} bounding its size) and may be called from any
 * event loop. {@link #drain} runs in one thread at a time; a drain requested while one runs makes
 * that one pass again. Each entry's state moves once, by CAS, from waiting to decided or cancelled,
 * so a request closed by its client is never also released, and vice versa.
 */
public final class WaitingRoom {

    private final int capacity;
    private final long maxWaitNanos;
    private final AdmissionDecider decider;
    private final ConcurrentLinkedQueue<Entry> line = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean drainAgain = new AtomicBoolean();
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();

    private volatile ScheduledExecutorService executor;
    private volatile NanoClock clock;

    /**
     * @param capacity the most requests held at once, at least 1
     * @param maxWait how long a request is held at most before it gets a waiting answer
     * @param decider asked again for every held request on each pass
     */
    public WaitingRoom(int capacity, Duration maxWait, AdmissionDecider decider) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.maxWaitNanos = maxWait.toNanos();
        this.decider = Objects.requireNonNull(decider, "decider");
    }

    /**
     * Drains every {@code tick} on {@code executor} with the time of {@code clock}, and makes {@link
     * #wake()} drain there at once. Call once.
     *
     * @return the periodic task, to cancel at shutdown
     */
    public ScheduledFuture<?> start(ScheduledExecutorService executor, Duration tick, NanoClock clock) {
        if (this.executor != null) {
            throw new IllegalStateException("the waiting room is already started");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        long tickNanos = tick.toNanos();
        return executor.scheduleWithFixedDelay(
                () -> drain(clock.nanoTime()), tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Reports that a token or an upstream slot may have become free: drains soon on the executor
     * given to {@link #start}, without waiting for the next tick. Does nothing before {@code start}.
     * Cheap to call often: wakes are coalesced.
     */
    public void wake() {
        ScheduledExecutorService ex = executor;
        if (ex != null && wakeScheduled.compareAndSet(false, true)) {
            ex.execute(() -> {
                wakeScheduled.set(false);
                drain(clock.nanoTime());
            });
        }
    }

    /** The number of requests held now. */
    public int size() {
        return size.get();
    }

    /** The most requests held at once. */
    public int capacity() {
        return capacity;
    }

    /**
     * Adds {@code entry} to the end of the line.
     *
     * @return false if the room is full; the entry is then not held and its owner must answer it
     */
    public boolean offer(Entry entry) {
        int current;
        do {
            current = size.get();
            if (current >= capacity) {
                return false;
            }
        } while (!size.compareAndSet(current, current + 1));
        entry.room = this;
        line.offer(entry);
        return true;
    }

    /**
     * Asks the decider again for the held requests, in arrival order, and hands out the outcomes.
     * Thread safe; if another thread is draining, that thread passes once more instead.
     *
     * @param nowNanos the current time of the gateway's clock
     */
    public void drain(long nowNanos) {
        drainAgain.set(true);
        while (drainAgain.get() && draining.compareAndSet(false, true)) {
            try {
                drainAgain.set(false);
                pass(nowNanos);
            } finally {
                draining.set(false);
            }
        }
    }

    private void pass(long nowNanos) {
        // Bit i set: an eligible client of class i is still waiting for a token in this pass. Classes
        // beyond 63 share bit 63, which only makes them wait together.
        long blockedClasses = 0;
        for (Iterator<Entry> it = line.iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.state.get() != Entry.WAITING) {
                it.remove();
                continue;
            }
            long classBit = 1L << Math.min(entry.classIndex, 63);
            boolean expired = nowNanos - entry.enqueuedAtNanos >= maxWaitNanos;
            if ((blockedClasses & classBit) != 0 && !expired) {
                continue;
            }
            Decision decision = decider.decide(entry.clientKey, entry.classIndex, nowNanos);
            if (decision instanceof Decision.Wait wait && !expired) {
                if (wait.eligible()) {
                    blockedClasses |= classBit;
                }
                continue;
            }
            it.remove();
            if (entry.state.compareAndSet(Entry.WAITING, Entry.DECIDED)) {
                size.decrementAndGet();
                entry.onDecided(decision);
            }
        }
    }

    /**
     * One held request. The owner (the request's channel handler) subclasses it to receive the
     * outcome.
     */
    public abstract static class Entry {
        static final int WAITING = 0;
        static final int DECIDED = 1;
        static final int CANCELLED = 2;

        private final String clientKey;
        private final int classIndex;
        private final long enqueuedAtNanos;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile WaitingRoom room;

        /**
         * @param clientKey the client's key, asked about again on each drain
         * @param classIndex the request's class
         * @param enqueuedAtNanos when the request started waiting, for {@code maxWait}
         */
        protected Entry(String clientKey, int classIndex, long enqueuedAtNanos) {
            this.clientKey = Objects.requireNonNull(clientKey, "clientKey");
            this.classIndex = classIndex;
            this.enqueuedAtNanos = enqueuedAtNanos;
        }

        /**
         * Receives the outcome, once, on the draining thread: an {@link Decision.Admit}, a {@link
         * Decision.Reject}, or the {@link Decision.Wait} of the moment {@code maxWait} passed. An
         * implementation hands it to its event loop and returns at once.
         */
        protected abstract void onDecided(Decision decision);

        /**
         * Leaves the line (the client closed). After this returns true, {@link #onDecided} is never
         * called; false means the outcome was already handed out (or the entry was never held).
         */
        public boolean cancel() {
            if (state.compareAndSet(WAITING, CANCELLED)) {
                WaitingRoom owner = room;
                if (owner != null) {
                    owner.size.decrementAndGet();
                }
                return true;
            }
            return false;
        }

        /** When the request started waiting, by the gateway's clock. */
        public long enqueuedAtNanos() {
            return enqueuedAtNanos;
        }

        /** The class of the held request. */
        public int classIndex() {
            return classIndex;
        }

        /** The client key this entry waits for. */
        public String clientKey() {
            return clientKey;
        }
    }
}
