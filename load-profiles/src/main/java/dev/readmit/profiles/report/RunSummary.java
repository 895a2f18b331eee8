package dev.readmit.profiles.report;

import java.util.Map;

/**
 * Whole-run figures of one replay.
 *
 * @param durationSeconds from the first scheduled request to the last response
 * @param requestsSent requests that were sent
 * @param responses responses received, by outcome label ({@code ok}, {@code waiting}, {@code error},
 *     {@code timeout}, {@code connect_failed}, ...)
 * @param latencyMillis whole-run latency percentiles of completed non-waiting requests: label
 *     ({@code p50}, {@code p90}, {@code p99}, {@code p99.9}, {@code max}) to milliseconds
 * @param clients clients in the profile
 * @param clientsAdmitted clients that got at least one non-waiting answer
 * @param secondsUntilAllAdmitted seconds from the start until the last client was admitted, or
 *     {@code NaN} if some never were
 * @param secondsUntilAllFinished seconds from the start until the last client finished its session, or
 *     {@code NaN} if some never did
 */
public record RunSummary(
        double durationSeconds,
        long requestsSent,
        Map<String, Long> responses,
        Map<String, Double> latencyMillis,
        long clients,
        long clientsAdmitted,
        double secondsUntilAllAdmitted,
        double secondsUntilAllFinished) {

    public RunSummary {
        responses = Map.copyOf(responses);
        latencyMillis = Map.copyOf(latencyMillis);
    }
}
