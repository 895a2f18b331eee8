package dev.readmit.profiles.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs side by side as a plain-text table: one column per run, one row per figure (responses by outcome,
 * whole-run latency percentiles, the worst interval's p99 and p99.9, peak errors per second, clients
 * admitted and the time until all were admitted and finished, then latency per class).
 *
 * <p>Latencies are milliseconds, times seconds; {@code -} marks a figure a run does not have, and
 * {@code never} a time that was never reached. Stateless and thread safe.
 */
public final class TextSummary {

    private static final List<String> OUTCOME_ORDER =
            List.of("ok", "waiting", "not_admitted", "error", "timeout", "connect_failed");
    private static final List<String> PERCENTILE_ORDER = List.of("p50", "p90", "p99", "p99.9", "p99.99", "max");

    private TextSummary() {}

    /**
     * The table as text, lines ending in {@code \n}, no trailing spaces.
     *
     * @param runs the runs, in column order; not empty
     * @throws IllegalArgumentException if {@code runs} is empty
     */
    public static String format(List<RunResult> runs) {
        List<List<String>> rows = rows(runs);
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            line.append(row.get(0)).append(" ".repeat(widths[0] - row.get(0).length()));
            for (int c = 1; c < columns; c++) {
                line.append("  ")
                        .append(" ".repeat(widths[c] - row.get(c).length()))
                        .append(row.get(c));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * The table's cells: the first row is the header (an empty corner, then the run names), the first
     * column the figure names. The HTML report shows the same rows.
     */
    static List<List<String>> rows(List<RunResult> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to summarise: give at least one");
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("");
        runs.forEach(run -> header.add(printable(run.name())));
        rows.add(header);
        rows.add(row("target", runs, run -> printable(run.target())));
        rows.add(row("duration s", runs, run -> seconds(run.summary().durationSeconds(), "-")));
        rows.add(row("requests sent", runs, run -> Long.toString(run.summary().requestsSent())));
        for (String outcome :
                ordered(OUTCOME_ORDER, runs, run -> run.summary().responses().keySet())) {
            rows.add(row(
                    "responses " + printable(outcome),
                    runs,
                    run -> count(run.summary().responses().get(outcome))));
        }
        for (String label : ordered(
                PERCENTILE_ORDER, runs, run -> run.summary().latencyMillis().keySet())) {
            rows.add(row(
                    "latency " + printable(label) + " ms",
                    runs,
                    run -> millis(run.summary().latencyMillis().get(label))));
        }
        rows.add(row("worst interval p99 ms", runs, run -> millis(worst(run, IntervalPoint::p99Millis))));
        rows.add(row("worst interval p99.9 ms", runs, run -> millis(worst(run, IntervalPoint::p999Millis))));
        rows.add(row("peak errors/s", runs, run -> rate(peakErrorsPerSecond(run))));
        rows.add(row("clients", runs, run -> Long.toString(run.summary().clients())));
        rows.add(
                row("clients admitted", runs, run -> Long.toString(run.summary().clientsAdmitted())));
        rows.add(row("all admitted after s", runs, run -> seconds(run.summary().secondsUntilAllAdmitted(), "never")));
        rows.add(row("all finished after s", runs, run -> seconds(run.summary().secondsUntilAllFinished(), "never")));
        Set<String> classes = new TreeSet<>();
        runs.forEach(run -> classes.addAll(run.latencyMillisByClass().keySet()));
        for (String className : classes) {
            List<String> labels = ordered(PERCENTILE_ORDER, runs, run -> run.latencyMillisByClass()
                    .getOrDefault(className, Map.of())
                    .keySet());
            for (String label : labels) {
                rows.add(row(
                        "class " + printable(className) + " " + printable(label) + " ms",
                        runs,
                        run -> millis(run.latencyMillisByClass()
                                .getOrDefault(className, Map.of())
                                .get(label))));
            }
        }
        return rows;
    }

    private static List<String> row(String label, List<RunResult> runs, Function<RunResult, String> cell) {
        List<String> row = new ArrayList<>();
        row.add(label);
        runs.forEach(run -> row.add(cell.apply(run)));
        return row;
    }

    /** Labels present in any run: the known ones in their usual order, then the rest alphabetically. */
    private static List<String> ordered(
            List<String> known, List<RunResult> runs, Function<RunResult, Collection<String>> labels) {
        Set<String> present =
                runs.stream().flatMap(run -> labels.apply(run).stream()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> result = new LinkedHashSet<>();
        known.stream().filter(present::contains).forEach(result::add);
        result.addAll(present);
        return List.copyOf(result);
    }

    private static double worst(RunResult run, java.util.function.ToDoubleFunction<IntervalPoint> value) {
        return run.intervals().stream()
                .mapToDouble(value)
                .filter(v -> !Double.isNaN(v))
                .max()
                .orElse(Double.NaN);
    }

    /** Highest errors per second over the intervals, taking each interval's length from its successor. */
    static double peakErrorsPerSecond(RunResult run) {
        List<IntervalPoint> points = run.intervals();
        double peak = Double.NaN;
        for (int i = 0; i < points.size(); i++) {
            double width = intervalSeconds(points, i);
            double rate = points.get(i).errors() / width;
            peak = Double.isNaN(peak) ? rate : Math.max(peak, rate);
        }
        return peak;
    }

    /** An interval's length: to the next one's start; the last is as long as the one before it (or 1 s). */
    static double intervalSeconds(List<IntervalPoint> points, int index) {
        if (index + 1 < points.size()) {
            return Math.max(
                    1e-9,
                    points.get(index + 1).startSeconds() - points.get(index).startSeconds());
        }
        return index > 0 ? intervalSeconds(points, index - 1) : 1.0;
    }

    private static String count(Long value) {
        return value == null ? "-" : Long.toString(value);
    }

    private static String millis(Double value) {
        if (value == null || Double.isNaN(value)) {
            return "-";
        }
        double v = value;
        String pattern = v < 1 ? "%.3f" : v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, pattern, v);
    }

    private static String seconds(double value, String whenNaN) {
        return Double.isNaN(value) ? whenNaN : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String rate(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    /** Names come from users and profiles: keep control characters from breaking the table's lines. */
    private static String printable(String text) {
        if (text == null) {
            return "-";
        }
        return text.codePoints()
                .map(cp -> Character.isISOControl(cp) ? ' ' : cp)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
