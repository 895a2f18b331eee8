package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.Transport;
import java.util.List;
import java.util.Objects;

/**
 * One simulated client of a replay plan: its key, its requests in time order and how it behaves.
 * Immutable.
 *
 * @param key client key sent with every request
 * @param className class, for per-class figures
 * @param connection how the client holds connections
 * @param honoursRetryAfter whether it waits {@code Retry-After} and keeps tickets, or follows the
 *     profile's retry policy
 * @param requests requests sorted by {@code atNanos}
 * @param endNanos when its session ends (long-lived connections are held until then), nanoseconds after
 *     the run start
 * @param seed seed of the client's own random choices (retry jitter)
 * @param transport what the client speaks: over {@link Transport#HTTP} each request is an HTTP request;
 *     over {@link Transport#WEBSOCKET} or {@link Transport#TCP} the client holds one connection and each
 *     request is a message on it; never null
 */
public record PlannedClient(
        String key,
        String className,
        ConnectionMode connection,
        boolean honoursRetryAfter,
        List<PlannedRequest> requests,
        long endNanos,
        long seed,
        Transport transport) {
    public PlannedClient {
        requests = List.copyOf(requests);
        Objects.requireNonNull(transport, "transport");
    }

    /** A client over HTTP. */
    public PlannedClient(
            String key,
            String className,
            ConnectionMode connection,
            boolean honoursRetryAfter,
            List<PlannedRequest> requests,
            long endNanos,
            long seed) {
        this(key, className, connection, honoursRetryAfter, requests, endNanos, seed, Transport.HTTP);
    }

    /** Intended time of the first request. */
    public long startNanos() {
        return requests.isEmpty() ? endNanos : requests.get(0).atNanos();
    }
}
