package dev.readmit.gateway.proxy;

/**
 * What the proxy asks before it sends a request upstream, and tells after: the backpressure seam
 * between the proxy and admission-core (concurrency limit, health signal, circuit breaker).
 *
 * <p>Every request that {@link #tryAcquire() acquired} a slot is {@link #release released} exactly
 * once, with its outcome. A request that found no slot {@link #awaitSlot parks} until one may be
 * free: admitted clients queue briefly at the gateway, they are never sent over the limit.
 *
 * <p>Called on event loops: implementations are thread safe, never block and do not allocate per
 * request beyond what a parked request needs.
 */
public interface UpstreamGuard {

    /** No limit, no health tracking: every request goes straight upstream. */
    UpstreamGuard NONE = new UpstreamGuard() {
        @Override
        public boolean tryAcquire() {
            return true;
        }

        @Override
        public void release(long latencyNanos, Outcome outcome) {}

        @Override
        public void awaitSlot(Runnable retry) {
            retry.run();
        }
    };

    /** How an upstream exchange ended. */
    enum Outcome {
        /** A complete response below 500. */
        SUCCESS,
        /** A 5xx response, a refused connection, or a reset. */
        ERROR,
        /** No response in time. */
        TIMEOUT,
        /** The client went away first: no verdict on the upstream. */
        CANCELLED
    }

    /** Takes a slot for one request if the upstream has room; false if it is at its limit. */
    boolean tryAcquire();

    /** Gives the slot back, with how long the exchange took and how it ended. */
    void release(long latencyNanos, Outcome outcome);

    /**
     * Runs {@code retry} once a slot may have come free (it must call {@link #tryAcquire()} again).
     * {@code retry} runs on whatever thread released the slot: it must hop to its own event loop.
     */
    void awaitSlot(Runnable retry);
}
