package dev.readmit.profiles.sim;

/**
 * A snapshot of a {@link UpstreamSimulator}'s counters, as {@code GET /__sim/stats} returns them in JSON.
 *
 * <p>Counters only grow (except by {@link UpstreamSimulator#resetPeaks()} for the peaks). Fields are read
 * one by one while the simulator runs, so two fields may come from instants a few microseconds apart;
 * each one on its own is exact.
 *
 * @param workers configured workers
 * @param capacityPerSecond {@code workers / mean service time}, requests per second
 * @param received requests fully received (body included) and handed to the model
 * @param served requests answered {@code 200} after their service time
 * @param rejected requests answered {@code 503} at once because the queue was full
 * @param queueTimeouts requests answered {@code 503} because they were still queued at their deadline
 * @param serviceTimeouts requests answered {@code 504} because their service would end after their deadline
 * @param inFlight workers busy now (including work whose request already got a {@code 504})
 * @param maxInFlight most workers busy at once since start or the last peak reset; never above workers
 * @param queueLength requests waiting for a worker now
 * @param maxQueueLength longest queue since start or the last peak reset
 * @param open requests received and not yet answered now (queued plus in service)
 * @param maxOpen most requests open at once since start or the last peak reset: what a proxy in front
 *     had outstanding against this upstream
 * @param bodyBytes request body bytes received, all requests
 */
public record SimStats(
        int workers,
        double capacityPerSecond,
        long received,
        long served,
        long rejected,
        long queueTimeouts,
        long serviceTimeouts,
        int inFlight,
        int maxInFlight,
        int queueLength,
        int maxQueueLength,
        int open,
        int maxOpen,
        long bodyBytes) {

    /** Requests answered because of the timeout, {@code 503} and {@code 504} together. */
    public long timedOut() {
        return queueTimeouts + serviceTimeouts;
    }

    /** Requests answered so far, any status. */
    public long answered() {
        return served + rejected + queueTimeouts + serviceTimeouts;
    }
}
