package dev.readmit.profiles.replay;

import dev.readmit.profiles.report.RunSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats a finished replay as the text summary printed at the end of {@code readmit replay}. Stateless. */
public final class ReplaySummary {
    private static final List<String> LABELS = List.of("p50", "p90", "p99", "p99.9", "max");

    private ReplaySummary() {}

    /** A multi-line, human-readable summary (no trailing newline). */
    public static String format(ReplayRun run) {
        RunSummary s = run.result().summary();
        StringBuilder b = new StringBuilder();
        line(b, "run", "%s against %s", run.result().name(), run.result().target());
        line(b, "duration", "%.1f s (first intended send to last answer)", s.durationSeconds());
        line(
                b,
                "requests",
                "%d sent (%d planned first attempts; retries on top)",
                s.requestsSent(),
                run.plannedRequests());
        StringBuilder outcomes = new StringBuilder();
        s.responses().forEach((k, v) -> outcomes.append(outcomes.length() == 0 ? "" : ", ")
                .append(k)
                .append(' ')
                .append(v));
        line(b, "outcomes", "%s", outcomes.length() == 0 ? "none" : outcomes);
        line(b, "latency", "%s  (from intended send time; answers and timeouts)", percentiles(s.latencyMillis()));
        run.result().latencyMillisByClass().forEach((cls, p) -> line(b, "  " + cls, "%s", percentiles(p)));
        line(b, "clients", "%d, admitted %d, gave up %d", s.clients(), s.clientsAdmitted(), run.clientsGaveUp());
        line(b, "all admitted", "%s", seconds(s.secondsUntilAllAdmitted()));
        line(b, "all finished", "%s", seconds(s.secondsUntilAllFinished()));
        line(
                b,
                "generator",
                "send lag p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d waited for a connection (cap);"
                        + " %d connections opened",
                run.sendLagMicros().getValueAtPercentile(50) / 1000.0,
                run.sendLagMicros().getValueAtPercentile(99) / 1000.0,
                run.sendLagMicros().getMaxValue() / 1000.0,
                run.lateForConnection(),
                run.connectionsOpened());
        b.setLength(b.length() - 1);
        return b.toString();
    }

    private static String percentiles(Map<String, Double> p) {
        StringBuilder sb = new StringBuilder();
        for (String k : LABELS) {
            Double v = p.get(k);
            if (v != null) {
                sb.append(sb.length() == 0 ? "" : "  ")
                        .append(k)
                        .append(' ')
                        .append(v.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f ms", v));
            }
        }
        return sb.length() == 0 ? "no answers" : sb.toString();
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "not reached" : String.format(Locale.ROOT, "after %.1f s", s);
    }

    private static void line(StringBuilder b, String label, String format, Object... args) {
        b.append(String.format(Locale.ROOT, "%-14s ", label + ":"))
                .append(String.format(Locale.ROOT, format, args))
                .append('\n');
    }
}
