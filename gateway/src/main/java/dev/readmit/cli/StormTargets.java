package dev.readmit.cli;

import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The storm benchmark's targets (issue 6) judged on one run: each a {@link Check} with the measured
 * figure. Pure computation over what the run measured; stateless and thread safe.
 *
 * <ul>
 *   <li>every one-second interval: p99 of answered requests at most {@value #P99_FACTOR} times the
 *       steady-state p99, p99.9 at most {@value #P999_FACTOR} times (latency from the scheduled send);
 *   <li>no overload error or timeout at the upstream (its {@code 503} queue-full, queue and service
 *       timeouts);
 *   <li>new clients admitted at the configured rate, within {@value #RATE_TOLERANCE}, in the seconds
 *       the gate was green and clients were told to wait (only measurable through readmit);
 *   <li>waiting answers ({@code 503}/{@code 429} with {@code Retry-After}) within
 *       {@value #WAITING_P99_MILLIS} ms at p99, and no request timed out;
 *   <li>every client finished its session, every request answered without error, by
 *       {@value #FINISH_FACTOR} times the ideal time (total work / capacity).
 * </ul>
 */
final class StormTargets {

    static final double P99_FACTOR = 1.5;
    static final double P999_FACTOR = 2.0;
    static final double RATE_TOLERANCE = 0.05;
    static final double WAITING_P99_MILLIS = 1.0;
    static final double FINISH_FACTOR = 1.2;

    private StormTargets() {}

    /** PASS, FAIL, or not applicable to this run (e.g. the new-client rate without readmit). */
    enum Verdict {
        PASS,
        FAIL,
        NOT_APPLICABLE;

        String label() {
            return this == NOT_APPLICABLE ? "n/a" : name();
        }
    }

    /**
     * One target on one run.
     *
     * @param target what was required
     * @param verdict whether it held
     * @param measured the figure it was judged on, as text
     */
    record Check(String target, Verdict verdict, String measured) {}

    /**
     * What readmit's new-client bucket did in the seconds the gate was green and clients were told to wait.
     *
     * @param configuredPerSecond the operator's rate
     * @param admitted new clients admitted in those seconds
     * @param seconds how many such seconds there were
     */
    record NewClientRate(double configuredPerSecond, long admitted, double seconds) {
        double measuredPerSecond() {
            return seconds <= 0 ? Double.NaN : admitted / seconds;
        }
    }

    /**
     * What one run measured, beyond its {@link RunResult}.
     *
     * @param result the replay's result
     * @param waitingP99Millis p99 of waiting answers, milliseconds, NaN when there were none
     * @param waitingAnswers waiting answers received
     * @param upstreamOverload the upstream's overload answers: 503 queue full, queue and service timeouts
     * @param newClientRate readmit's bucket, or null when the run had no readmit
     */
    record Measured(
            RunResult result,
            double waitingP99Millis,
            long waitingAnswers,
            long upstreamOverload,
            NewClientRate newClientRate) {}

    /**
     * Judges one run.
     *
     * @param steadyP99Millis the upstream's steady-state p99 at 60 % of capacity, milliseconds
     * @param idealSeconds total work / capacity, seconds
     */
    static List<Check> judge(Measured m, double steadyP99Millis, double idealSeconds) {
        List<Check> checks = new ArrayList<>();
        List<IntervalPoint> points = m.result().intervals();
        checks.add(intervalCheck(
                "p99 each second <= " + fmt(P99_FACTOR) + "x steady p99 (" + ms(steadyP99Millis * P99_FACTOR) + ")",
                points,
                true,
                steadyP99Millis * P99_FACTOR));
        checks.add(intervalCheck(
                "p99.9 each second <= " + fmt(P999_FACTOR) + "x steady p99 (" + ms(steadyP99Millis * P999_FACTOR) + ")",
                points,
                false,
                steadyP99Millis * P999_FACTOR));
        checks.add(new Check(
                "no upstream overload error or timeout",
                m.upstreamOverload() == 0 ? Verdict.PASS : Verdict.FAIL,
                m.upstreamOverload() + " at the upstream"));
        NewClientRate rate = m.newClientRate();
        if (rate == null) {
            checks.add(new Check("new-client rate within 5% of configured while green", Verdict.NOT_APPLICABLE, "-"));
        } else if (rate.seconds() <= 0) {
            checks.add(new Check(
                    "new-client rate within 5% of configured while green",
                    Verdict.FAIL, "no second was green with clients waiting"));
        } else {
            double measured = rate.measuredPerSecond();
            double off = Math.abs(measured - rate.configuredPerSecond()) / rate.configuredPerSecond();
            checks.add(new Check(
                    "new-client rate within 5% of configured while green",
                    off <= RATE_TOLERANCE ? Verdict.PASS : Verdict.FAIL,
                    String.format(
                            Locale.ROOT,
                            "%.1f/s vs %.1f/s configured (%+.1f%%) over %.0f s",
                            measured,
                            rate.configuredPerSecond(),
                            (measured / rate.configuredPerSecond() - 1) * 100,
                            rate.seconds())));
        }
        long timeouts = count(m.result(), "timeout");
        if (m.waitingAnswers() == 0) {
            checks.add(new Check(
                    "waiting answers p99 <= 1 ms, no timeout",
                    timeouts == 0 ? Verdict.NOT_APPLICABLE : Verdict.FAIL,
                    "no waiting answers" + (timeouts == 0 ? "" : ", " + timeouts + " timeouts")));
        } else {
            boolean ok = m.waitingP99Millis() <= WAITING_P99_MILLIS && timeouts == 0;
            checks.add(new Check(
                    "waiting answers p99 <= 1 ms, no timeout",
                    ok ? Verdict.PASS : Verdict.FAIL,
                    String.format(
                            Locale.ROOT,
                            "p99 %.3f ms of %d, %d timeouts",
                            m.waitingP99Millis(),
                            m.waitingAnswers(),
                            timeouts)));
        }
        double finished = m.result().summary().secondsUntilAllFinished();
        long failed = failedRequests(m.result());
        double limit = idealSeconds * FINISH_FACTOR;
        String figure = Double.isNaN(finished)
                ? "not every client finished"
                : String.format(
                        Locale.ROOT, "%.1f s = %.2fx ideal %.1f s", finished, finished / idealSeconds, idealSeconds);
        if (failed > 0) {
            figure += ", " + failed + " requests failed";
        }
        checks.add(new Check(
                "all sessions done <= " + fmt(FINISH_FACTOR) + "x ideal (" + String.format(Locale.ROOT, "%.1f s", limit)
                        + ")",
                !Double.isNaN(finished) && finished <= limit && failed == 0 ? Verdict.PASS : Verdict.FAIL,
                figure));
        return checks;
    }

    private static Check intervalCheck(String target, List<IntervalPoint> points, boolean p99, double limitMillis) {
        double worst = Double.NaN;
        double worstAt = Double.NaN;
        int over = 0;
        int overSparse = 0;
        int judged = 0;
        long enough = p99 ? 100 : 1000;
        for (IntervalPoint p : points) {
            double v = p99 ? p.p99Millis() : p.p999Millis();
            if (Double.isNaN(v)) {
                continue;
            }
            judged++;
            if (v > limitMillis) {
                over++;
                if (p.requests() - p.waiting() < enough) {
                    overSparse++;
                }
            }
            if (Double.isNaN(worst) || v > worst) {
                worst = v;
                worstAt = p.startSeconds();
            }
        }
        if (judged == 0) {
            return new Check(target, Verdict.FAIL, "no answered request");
        }
        String figure = String.format(
                Locale.ROOT, "worst %s at %.0f s; %d of %d seconds over", ms(worst), worstAt, over, judged);
        if (overSparse > 0) {
            // Counted all the same; said, because there such a percentile is the second's slowest answer.
            figure += String.format(
                    Locale.ROOT,
                    " (%d of them with fewer than %d answers, where the %s is the slowest)",
                    overSparse,
                    enough,
                    p99 ? "p99" : "p99.9");
        }
        return new Check(target, over == 0 ? Verdict.PASS : Verdict.FAIL, figure);
    }

    /** Requests that ended without a useful answer: errors, timeouts, failed or closed connections. */
    static long failedRequests(RunResult r) {
        long n = 0;
        for (Map.Entry<String, Long> e : r.summary().responses().entrySet()) {
            switch (e.getKey()) {
                case "error", "timeout", "connect_failed", "closed", "unanswered" -> n += e.getValue();
                default -> {}
            }
        }
        return n;
    }

    private static long count(RunResult r, String outcome) {
        return r.summary().responses().getOrDefault(outcome, 0L);
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        return millis >= 100
                ? String.format(Locale.ROOT, "%.0f ms", millis)
                : String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
