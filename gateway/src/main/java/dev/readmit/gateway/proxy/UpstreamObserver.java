package dev.readmit.gateway.proxy;

/**
 * Told about every request the proxy sends to the upstream, so that upstream health (latency, errors,
 * timeouts, requests in flight) can feed admission and metrics.
 *
 * <p>For each {@link #requestStarted()} exactly one of {@link #responseReceived}, {@link #requestFailed}
 * or {@link #requestAbandoned} follows, on the same thread; between them the request counts as in flight.
 * A retry on a new connection (see {@link HttpProxyHandler}) stays within one started request.
 *
 * <p>Calls come on the event loop of the connection concerned, from every event loop at once:
 * implementations must be thread-safe, must not block, and should not allocate (this is the proxy's
 * hot path). Latencies are nanoseconds from {@link #requestStarted()}, measured on the gateway's clock.
 */
public interface UpstreamObserver {

    /** Observes nothing. */
    UpstreamObserver NONE = new UpstreamObserver() {};

    /** A request is on its way to the upstream (a connection is being obtained for it). */
    default void requestStarted() {}

    /** The upstream answered: its response head (any final status, or 101) arrived. */
    default void responseReceived(int status, long latencyNanos) {}

    /** The upstream gave no answer, for the reason given; the client got 502, 503 or 504. */
    default void requestFailed(UpstreamFailure.Kind kind, long latencyNanos) {}

    /** The client went away before the upstream answered; this says nothing about the upstream's health. */
    default void requestAbandoned(long latencyNanos) {}
}
