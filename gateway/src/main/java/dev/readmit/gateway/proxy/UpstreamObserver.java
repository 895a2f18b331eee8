package dev.readmit.gateway.proxy;

/**
 * Told about every request the proxy sends to the upstream, so that upstream health (latency, errors,
 * timeouts, requests in flight) can feed admission and metrics.
 *
 * <p>For each {@link #requestStarted()} exactly one of {@link #responseReceived}, {@link #requestFailed}
 * or {@link #requestAbandoned} follows, on the same thread; between them the request counts as in flight.
 * A retry on a new connection (see {@link HttpProxyHandler}) stays within one started request.
 *
 * <p>Before a request starts it takes a slot ({@link #tryAcquireSlot()}); when none is free it parks
 * ({@link #awaitSlot}) until one is handed to it, so the upstream never sees more requests in flight
 * than the observer allows. A slot is given back by the outcome that ends the request.
 *
 * <p>Calls come on the event loop of the connection concerned, from every event loop at once:
 * implementations must be thread-safe, must not block, and should not allocate (this is the proxy's
 * hot path). Latencies are nanoseconds from {@link #requestStarted()}, measured on the gateway's clock.
 */
public interface UpstreamObserver {

    /** Observes nothing. */
    UpstreamObserver NONE = new UpstreamObserver() {};

    /** Takes a slot for one request if the upstream has room; false if it is at its limit. */
    default boolean tryAcquireSlot() {
        return true;
    }

    /**
     * Parks a request that found no slot. When a slot is free the observer takes it for the waiter
     * and calls {@link SlotWaiter#takeSlot()}, from whatever thread gave a slot back.
     */
    default void awaitSlot(SlotWaiter waiter) {
        if (tryAcquireSlot() && !waiter.takeSlot()) {
            requestAbandoned(0);
        }
    }

    /** A request parked for a slot. */
    interface SlotWaiter {
        /**
         * A slot was taken for this request: continue it on its own event loop.
         *
         * @return false if the request is gone; the slot is then given back by the caller
         */
        boolean takeSlot();
    }

    /** A request is on its way to the upstream (a connection is being obtained for it). */
    default void requestStarted() {}

    /** The upstream answered: its response head (any final status, or 101) arrived. */
    default void responseReceived(int status, long latencyNanos) {}

    /**
     * The upstream answered a request that first waited {@code slotWaitNanos} at the gateway for a
     * slot (0 when it got one at once); {@code latencyNanos} is the upstream's part alone. The proxy
     * calls this one; by default it passes on to {@link #responseReceived(int, long)}.
     */
    default void responseReceived(int status, long latencyNanos, long slotWaitNanos) {
        responseReceived(status, latencyNanos);
    }

    /** The upstream gave no answer, for the reason given; the client got 502, 503 or 504. */
    default void requestFailed(UpstreamFailure.Kind kind, long latencyNanos) {}

    /** The client went away before the upstream answered; this says nothing about the upstream's health. */
    default void requestAbandoned(long latencyNanos) {}
}
