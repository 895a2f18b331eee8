package dev.readmit.admission.health;

/**
 * One verdict of the {@link HealthSignal}: the statistics of the window that ended at {@code
 * atNanos} and the gate colour derived from them. Immutable.
 *
 * @param atNanos when the window ended, on the signal's clock
 * @param windowNanos how long the window actually spans (up to the configured window; less at start)
 * @param requests outcomes recorded in the window (successes, errors and timeouts)
 * @param errors upstream errors (5xx, reset) in the window
 * @param timeouts upstream timeouts in the window
 * @param errorRate (errors + timeouts) / requests, 0 when there were no requests
 * @param requestsPerSecond requests / window length
 * @param p50Nanos median latency of all outcomes, 0 when there were no requests
 * @param p99Nanos 99th percentile latency
 * @param p999Nanos 99.9th percentile latency
 * @param maxNanos the slowest outcome
 * @param limit the attached concurrency limiter's limit now, 0 when none is attached
 * @param inFlight requests in flight now, 0 when no limiter is attached
 * @param rejectedRate share of the limiter's attempts it refused in the window
 * @param colour the gate colour after the recovery hold
 * @param reason why the gate has this colour, for humans and ramp events
 */
public record HealthSnapshot(
        long atNanos,
        long windowNanos,
        long requests,
        long errors,
        long timeouts,
        double errorRate,
        double requestsPerSecond,
        long p50Nanos,
        long p99Nanos,
        long p999Nanos,
        long maxNanos,
        int limit,
        int inFlight,
        double rejectedRate,
        GateColour colour,
        String reason) {

    static HealthSnapshot initial(long atNanos) {
        return new HealthSnapshot(
                atNanos, 0, 0, 0, 0, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 0.0, GateColour.GREEN, "no window evaluated yet");
    }
}
