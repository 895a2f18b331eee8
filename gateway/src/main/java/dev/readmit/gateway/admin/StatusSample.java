package dev.readmit.gateway.admin;

import java.util.Map;

/**
 * One second of the status history drawn by the status page. Immutable.
 *
 * @param atMillis when it was taken, milliseconds since the epoch
 * @param openPercent each class's open fraction in percent (0..100), in class order
 * @param admitted clients in the admitted set
 * @param waiting clients waiting: eligible clients in line plus requests held in the waiting room
 * @param admissionsPerSecond new clients admitted per second since the previous sample
 * @param upstreamP50Millis median upstream latency of the health window, milliseconds
 * @param upstreamP99Millis 99th percentile upstream latency of the health window, milliseconds
 * @param upstreamErrorRate share of upstream errors and timeouts in the health window, 0..1
 * @param gate the gate colour ({@code green}, {@code amber}, {@code red}); {@code off} without admission
 */
public record StatusSample(
        long atMillis,
        Map<String, Double> openPercent,
        long admitted,
        long waiting,
        double admissionsPerSecond,
        double upstreamP50Millis,
        double upstreamP99Millis,
        double upstreamErrorRate,
        String gate) {

    public StatusSample {
        openPercent = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(openPercent));
    }
}
