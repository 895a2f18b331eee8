package dev.readmit.admission.health;

/**
 * An algorithm that computes a concurrency limit from observed request outcomes (the
 * concurrency-limits split: the {@code Limit} computes a number, {@link ConcurrencyLimiter} enforces
 * it). A new policy is one new class.
 *
 * <p>Implementations must be thread safe: {@link #onSample} is called concurrently from every thread
 * that completes a request, and {@link #currentLimit} is read on every {@link
 * ConcurrencyLimiter#tryAcquire()}. Both are on the hot path: no lock that a caller waits for, no
 * allocation.
 */
public interface Limit {

    /** The current limit on requests in flight, at least 1. */
    int currentLimit();

    /**
     * Reports one finished request.
     *
     * @param rttNanos how long the request took, in nanoseconds (negative values are treated as 0)
     * @param inFlight requests in flight when it finished, itself included
     * @param dropped true if it failed in a way that signals overload: an upstream error, reset or
     *     timeout
     */
    void onSample(long rttNanos, int inFlight, boolean dropped);

    /** A limit that never changes, for tests and for operators who turn adaptation off. */
    static Limit fixed(int limit) {
        return new FixedLimit(limit);
    }
}
