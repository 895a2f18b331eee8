package dev.readmit.cli;

import dev.readmit.profiles.replay.ReplayRun;
import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.sim.SimStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The storm benchmark's tables as markdown (printed and written into {@code RESULTS.md}): the figures of
 * each run side by side, the targets with PASS/FAIL per run, and the whole section with how it was run.
 * Stateless; thread safe.
 */
final class StormTable {

    private StormTable() {}

    /** Per run: latency per second (worst and median second), errors/s, finish time, what the upstream saw. */
    static String figures(List<RunResult> runs, List<ReplayRun> replays, List<SimStats> upstream, double idealSeconds) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(header("figure", runs));
        rows.add(row("p50 per second: median / worst ms", runs, r -> perSecond(r, IntervalPoint::p50Millis)));
        rows.add(row("p99 per second: median / worst ms", runs, r -> perSecond(r, IntervalPoint::p99Millis)));
        rows.add(row("p99.9 per second: median / worst ms", runs, r -> perSecond(r, IntervalPoint::p999Millis)));
        rows.add(row(
                "whole run p50 / p99 / p99.9 ms",
                runs,
                r -> String.format(
                        Locale.ROOT,
                        "%s / %s / %s",
                        num(r.summary().latencyMillis().get("p50")),
                        num(r.summary().latencyMillis().get("p99")),
                        num(r.summary().latencyMillis().get("p99.9")))));
        rows.add(row("errors/s: mean / peak", runs, StormTable::errorsPerSecond));
        rows.add(row(
                "ok answers", runs, r -> Long.toString(r.summary().responses().getOrDefault("ok", 0L))));
        rows.add(row(
                "waiting answers (503/429)",
                runs,
                r -> Long.toString(r.summary().responses().getOrDefault("waiting", 0L))));
        rows.add(row(
                "failed requests (error, timeout, closed)", runs, r -> Long.toString(StormTargets.failedRequests(r))));
        rows.add(row("all clients admitted after s", runs, r -> secs(r.summary().secondsUntilAllAdmitted())));
        rows.add(row(
                "all sessions done after s (ideal " + String.format(Locale.ROOT, "%.1f", idealSeconds) + ")",
                runs,
                r -> {
                    double f = r.summary().secondsUntilAllFinished();
                    return Double.isNaN(f) ? "never" : String.format(Locale.ROOT, "%.1f (%.2fx)", f, f / idealSeconds);
                }));
        List<String> served = new ArrayList<>(List.of("upstream: served / overload 503+timeouts / max open"));
        List<String> lag = new ArrayList<>(List.of("generator: send lag p99 ms / late for a connection"));
        for (int i = 0; i < runs.size(); i++) {
            SimStats s = upstream.get(i);
            served.add(s.served() + " / " + (s.rejected() + s.timedOut()) + " / " + s.maxOpen());
            ReplayRun rr = replays.get(i);
            lag.add(String.format(
                    Locale.ROOT,
                    "%s / %d",
                    num(
                            rr.sendLagMicros().getTotalCount() == 0
                                    ? Double.NaN
                                    : rr.sendLagMicros().getValueAtPercentile(99) / 1000.0),
                    rr.lateForConnection()));
        }
        rows.add(served);
        rows.add(lag);
        return markdown(rows);
    }

    /** The targets, one row each, one column per run: {@code PASS}/{@code FAIL}/{@code n/a} and the figure. */
    static String targets(List<RunResult> runs, List<List<StormTargets.Check>> checks) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(header("target", runs));
        int n = checks.isEmpty() ? 0 : checks.get(0).size();
        for (int t = 0; t < n; t++) {
            List<String> row = new ArrayList<>();
            row.add(checks.get(0).get(t).target());
            for (List<StormTargets.Check> perRun : checks) {
                StormTargets.Check c = perRun.get(t);
                row.add("**" + c.verdict().label() + "** " + c.measured());
            }
            rows.add(row);
        }
        return markdown(rows);
    }

    /** The whole {@code storm} section of {@code RESULTS.md}. */
    static String section(
            String command,
            Instant started,
            String loadBefore,
            String loadAfter,
            String upstream,
            String steady,
            String workload,
            double idealSeconds,
            List<String> notes,
            String figures,
            String targets) {
        List<String> lines = new ArrayList<>(List.of(
                "## Storm: a whole user base returns (issue 6)",
                "",
                "Written by `benchmarks/storm.sh` (`" + command
                        + "`); see the README, section \"The storm benchmark\", for how to read it.",
                "",
                "- run: " + started + ", load average before " + loadBefore + ", after " + loadAfter + " ("
                        + Runtime.getRuntime().availableProcessors() + " cores)",
                "- upstream: " + upstream,
                "- baseline: " + steady,
                "- workload: " + workload,
                String.format(Locale.ROOT, "- ideal readmission time: total work / C = %.1f s", idealSeconds)));
        notes.forEach(n -> lines.add("- " + n));
        lines.addAll(List.of("", figures, "", targets, ""));
        return String.join("\n", lines);
    }

    private static List<String> header(String corner, List<RunResult> runs) {
        List<String> h = new ArrayList<>();
        h.add(corner);
        runs.forEach(r -> h.add(r.name()));
        return h;
    }

    private static List<String> row(String name, List<RunResult> runs, Function<RunResult, String> cell) {
        List<String> row = new ArrayList<>();
        row.add(name);
        runs.forEach(r -> row.add(cell.apply(r)));
        return row;
    }

    private static String perSecond(RunResult r, java.util.function.ToDoubleFunction<IntervalPoint> f) {
        List<Double> v = new ArrayList<>();
        for (IntervalPoint p : r.intervals()) {
            double x = f.applyAsDouble(p);
            if (!Double.isNaN(x)) {
                v.add(x);
            }
        }
        if (v.isEmpty()) {
            return "-";
        }
        v.sort(Double::compare);
        return num(v.get(v.size() / 2)) + " / " + num(v.get(v.size() - 1));
    }

    private static String errorsPerSecond(RunResult r) {
        long total = 0;
        long peak = 0;
        for (IntervalPoint p : r.intervals()) {
            total += p.errors();
            peak = Math.max(peak, p.errors());
        }
        double mean =
                r.intervals().isEmpty() ? 0 : (double) total / r.intervals().size();
        return String.format(Locale.ROOT, "%.1f / %d", mean, peak);
    }

    private static String num(Double v) {
        if (v == null || Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String secs(double s) {
        return Double.isNaN(s) ? "never" : String.format(Locale.ROOT, "%.1f", s);
    }

    /** Rows as a markdown table; the first row is the header; {@code |} in cells is escaped. */
    static String markdown(List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            sb.append('|');
            for (String cell : rows.get(i)) {
                sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
            }
            sb.append('\n');
            if (i == 0) {
                sb.append('|');
                sb.append(" --- |".repeat(rows.get(0).size()));
                sb.append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }
}
