package dev.readmit.profiles.report;

import java.util.List;
import java.util.Map;

/**
 * The result of one replay run, as the report and the side-by-side tables show it.
 *
 * @param name what the run was, e.g. {@code direct} or {@code through readmit}
 * @param target the URL that was replayed against
 * @param intervals per-interval points, in time order
 * @param summary whole-run figures
 * @param latencyMillisByClass whole-run latency percentiles per class: class name to
 *     (percentile label such as {@code p99}) to milliseconds
 */
public record RunResult(
        String name,
        String target,
        List<IntervalPoint> intervals,
        RunSummary summary,
        Map<String, Map<String, Double>> latencyMillisByClass) {

    public RunResult {
        intervals = List.copyOf(intervals);
        latencyMillisByClass = Map.copyOf(latencyMillisByClass);
    }
}
