package dev.readmit.admission.health;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Enforces a {@link Limit} on requests in flight to the upstream. A caller takes a permit with
 * {@link #tryAcquire()} before it sends a request and gives it back with exactly one of {@link
 * #release(long, boolean)} (the request finished: the outcome feeds the limit) or {@link
 * #releaseWithoutSample()} (abandoned before an answer, which says nothing about the upstream).
 *
 * <p>Thread safe and lock-free: the in-flight count is one {@link AtomicInteger} moved by CAS against
 * the limit, so the count never exceeds the limit read at the moment of the increment. When the
 * limit falls below the current in-flight count nothing is cancelled; new requests are refused until
 * enough have finished. Rejection is a value ({@code false}), not an exception. No allocation.
 */
public final class ConcurrencyLimiter {

    private final Limit limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private ConcurrencyLimiter(Limit limit) {
        this.limit = limit;
    }

    /** A limiter enforcing {@code limit}, which must not be null. */
    public static ConcurrencyLimiter create(Limit limit) {
        if (limit == null) {
            throw new IllegalArgumentException("limit must not be null; use Limit.fixed(n) for a constant limit");
        }
        return new ConcurrencyLimiter(limit);
    }

    /**
     * Takes a permit if fewer than {@link #limit()} requests are in flight.
     *
     * @return true if the caller may send its request and must later release; false if at the limit
     */
    public boolean tryAcquire() {
        for (; ; ) {
            int current = inFlight.get();
            if (current >= limit.currentLimit()) {
                rejected.increment();
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                acquired.increment();
                return true;
            }
        }
    }

    /**
     * Gives back a permit taken by {@link #tryAcquire()} and reports the request's outcome to the
     * limit.
     *
     * @param latencyNanos how long the upstream took, in nanoseconds
     * @param dropped true for an upstream error, reset or timeout
     * @throws IllegalStateException if no permit is held (a release without a matching acquire)
     */
    public void release(long latencyNanos, boolean dropped) {
        int before = decrement();
        limit.onSample(latencyNanos, before, dropped);
    }

    /**
     * Gives back a permit without reporting a sample, for a request abandoned before the upstream
     * answered (for example the client went away).
     *
     * @throws IllegalStateException if no permit is held
     */
    public void releaseWithoutSample() {
        decrement();
    }

    private int decrement() {
        int before = inFlight.getAndDecrement();
        if (before <= 0) {
            inFlight.incrementAndGet();
            throw new IllegalStateException("release without a matching tryAcquire: nothing is in flight");
        }
        return before;
    }

    /** The limit now. */
    public int limit() {
        return limit.currentLimit();
    }

    /** Requests in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Permits granted since creation, for metrics and the health signal. */
    public long acquiredCount() {
        return acquired.sum();
    }

    /** Permits refused since creation, for metrics and the health signal. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** The algorithm behind this limiter. */
    public Limit limitAlgorithm() {
        return limit;
    }
}
