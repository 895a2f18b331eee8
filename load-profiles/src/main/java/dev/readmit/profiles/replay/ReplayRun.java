package dev.readmit.profiles.replay;

import dev.readmit.profiles.report.RunResult;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A finished replay in full: the {@link RunResult} the report draws, plus the generator's own health
 * and whole-run histograms. Histograms hold microseconds. Not thread safe (the histograms are mutable
 * copies owned by the caller).
 *
 * @param result what the report and the side-by-side tables show
 * @param sendLagMicros per attempt, actual send time minus intended time: the generator's lateness
 * @param earliestSendLagNanos the smallest send lag seen, nanoseconds; negative would mean a request
 *     left before its time
 * @param lateForConnection attempts that waited for a free connection because the cap was reached
 * @param connectionsOpened connections opened during the run
 * @param clientsGaveUp clients that gave up after {@code max_attempts} waiting answers
 * @param latencyByTag whole-run latency per {@code class/outcome} tag
 * @param plannedRequests first attempts in the plan (those intended after the warm-up, if any)
 */
public record ReplayRun(
        RunResult result,
        Histogram sendLagMicros,
        long earliestSendLagNanos,
        long lateForConnection,
        long connectionsOpened,
        long clientsGaveUp,
        Map<String, Histogram> latencyByTag,
        long plannedRequests) {}
