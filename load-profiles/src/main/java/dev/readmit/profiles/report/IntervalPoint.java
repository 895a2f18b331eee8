package dev.readmit.profiles.report;

/**
 * One interval (normally one second) of a run, as drawn in the report's charts.
 *
 * <p>Latencies are measured from each request's scheduled send time (open loop), so a stall shows up
 * here instead of being hidden by coordinated omission.
 *
 * @param startSeconds interval start, seconds since the run began
 * @param requests responses received in the interval (any outcome)
 * @param errors responses that were errors in the interval: 5xx other than a waiting-room answer,
 *     connection failures and timeouts
 * @param waiting waiting-room answers ({@code 503}/{@code 429} with {@code Retry-After}) in the interval
 * @param p50Millis median latency of completed requests, milliseconds; {@code NaN} if none
 * @param p99Millis 99th percentile latency, milliseconds; {@code NaN} if none
 * @param p999Millis 99.9th percentile latency, milliseconds; {@code NaN} if none
 * @param maxMillis maximum latency, milliseconds; {@code NaN} if none
 * @param clientsAdmitted clients that had been admitted (got a non-waiting answer) by the end of the
 *     interval, cumulative
 */
public record IntervalPoint(
        double startSeconds,
        long requests,
        long errors,
        long waiting,
        double p50Millis,
        double p99Millis,
        double p999Millis,
        double maxMillis,
        long clientsAdmitted) {}
