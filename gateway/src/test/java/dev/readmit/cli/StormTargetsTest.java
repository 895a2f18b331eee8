package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.cli.StormTargets.Check;
import dev.readmit.cli.StormTargets.Measured;
import dev.readmit.cli.StormTargets.NewClientRate;
import dev.readmit.cli.StormTargets.Verdict;
import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.RunSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StormTargetsTest {

    private static IntervalPoint second(double at, double p99, double p999, long errors) {
        return new IntervalPoint(at, 100, errors, 0, 10, p99, p999, p999, 10);
    }

    private static RunResult run(List<IntervalPoint> points, Map<String, Long> responses, double finished) {
        return new RunResult(
                "readmit",
                "http://127.0.0.1:1",
                points,
                new RunSummary(60, 1000, responses, Map.of("p99", 50.0), 10, 10, 5, finished),
                Map.of());
    }

    private static Verdict verdict(List<Check> checks, int i) {
        return checks.get(i).verdict();
    }

    @Test
    void aRunWithinEveryTargetPassesThemAll() {
        RunResult r = run(
                List.of(second(0, 60, 80, 0), second(1, 74, 99, 0), second(2, Double.NaN, Double.NaN, 0)),
                Map.of("ok", 1000L, "waiting", 50L),
                110);
        List<Check> checks =
                StormTargets.judge(new Measured(r, 0.8, 50, 0, new NewClientRate(100, 2_900, 30)), 50, 100);

        assertThat(checks).extracting(Check::verdict).containsOnly(Verdict.PASS);
        assertThat(checks.get(0).measured()).isEqualTo("worst 74.0 ms at 1 s; 0 of 2 seconds over");
        assertThat(checks.get(3).measured()).contains("96.7/s vs 100.0/s configured (-3.3%) over 30 s");
    }

    @Test
    void aSecondOverTheLineWithTooFewAnswersForItsPercentileIsCountedAndSaidSo() {
        IntervalPoint sparse = new IntervalPoint(9, 47, 0, 0, 15, 78.0, 78.0, 78.0, 7000);
        RunResult r = run(List.of(second(0, 60, 80, 0), second(8, 76, 90, 0), sparse), Map.of("ok", 1000L), 110);
        List<Check> checks = StormTargets.judge(new Measured(r, Double.NaN, 0, 0, null), 50, 100);

        assertThat(verdict(checks, 0)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(0).measured())
                .isEqualTo("worst 78.0 ms at 9 s; 2 of 3 seconds over"
                        + " (1 of them with fewer than 100 answers, where the p99 is the slowest)");
    }

    @Test
    void oneSlowSecondFailsTheLatencyTargetsAndSaysWhen() {
        RunResult r = run(List.of(second(0, 60, 80, 0), second(7, 76, 101, 0)), Map.of("ok", 1000L), 110);
        List<Check> checks = StormTargets.judge(new Measured(r, Double.NaN, 0, 0, null), 50, 100);

        assertThat(verdict(checks, 0)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(0).measured()).isEqualTo("worst 76.0 ms at 7 s; 1 of 2 seconds over");
        assertThat(verdict(checks, 1)).isEqualTo(Verdict.FAIL);
        assertThat(verdict(checks, 3)).isEqualTo(Verdict.NOT_APPLICABLE);
        assertThat(verdict(checks, 4)).isEqualTo(Verdict.NOT_APPLICABLE);
    }

    @Test
    void overloadSlowWaitingAnswersRateOffAndLateFinishEachFail() {
        RunResult r = run(List.of(second(0, 60, 80, 0)), Map.of("ok", 1000L, "waiting", 10L), 121);
        List<Check> checks = StormTargets.judge(new Measured(r, 1.5, 10, 3, new NewClientRate(100, 930, 10)), 50, 100);

        assertThat(verdict(checks, 2)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(2).measured()).isEqualTo("3 at the upstream");
        assertThat(verdict(checks, 3)).isEqualTo(Verdict.FAIL);
        assertThat(verdict(checks, 4)).isEqualTo(Verdict.FAIL);
        assertThat(verdict(checks, 5)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(5).measured()).isEqualTo("121.0 s = 1.21x ideal 100.0 s");
    }

    @Test
    void finishingInTimeWithFailedRequestsIsNotFinishing() {
        RunResult r = run(List.of(second(0, 60, 80, 5)), Map.of("ok", 900L, "error", 100L), 50);
        List<Check> checks = StormTargets.judge(new Measured(r, Double.NaN, 0, 0, null), 50, 100);

        assertThat(verdict(checks, 5)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(5).measured()).endsWith("100 requests failed");
        assertThat(StormTargets.failedRequests(r)).isEqualTo(100);
    }

    @Test
    void aTimeoutFailsTheWaitingTargetEvenWithoutWaitingAnswers() {
        RunResult r = run(List.of(second(0, 60, 80, 1)), Map.of("ok", 999L, "timeout", 1L), Double.NaN);
        List<Check> checks = StormTargets.judge(new Measured(r, Double.NaN, 0, 0, null), 50, 100);

        assertThat(verdict(checks, 4)).isEqualTo(Verdict.FAIL);
        assertThat(checks.get(5).measured()).startsWith("not every client finished");
    }
}
