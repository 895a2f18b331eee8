package dev.readmit.profiles.report;

import java.util.List;
import java.util.Map;

/** Run results for report tests, with the shapes a replay produces, gaps (NaN) included. */
final class Runs {

    private Runs() {}

    static RunResult direct() {
        return new RunResult(
                "direct",
                "http://127.0.0.1:8081",
                List.of(
                        new IntervalPoint(0, 1200, 0, 0, 4.2, 12.5, 15.0, 18.25, 1000),
                        new IntervalPoint(1, 2100, 340, 0, 850.0, 4900.0, 4990.0, 5003.0, 1800),
                        new IntervalPoint(2, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1800)),
                new RunSummary(
                        3.4,
                        3640,
                        Map.of("ok", 2960L, "error", 340L, "timeout", 40L),
                        Map.of("p50", 420.0, "p90", 3100.0, "p99", 4900.0, "p99.9", 4990.0, "max", 5003.0),
                        2000,
                        1800,
                        Double.NaN,
                        Double.NaN),
                Map.of(
                        "restores", Map.of("p50", 380.0, "p99", 4800.0),
                        "agents", Map.of("p50", 430.0, "p99", 4950.0)));
    }

    static RunResult throughReadmit() {
        return new RunResult(
                "through readmit",
                "http://127.0.0.1:8080",
                List.of(
                        new IntervalPoint(0, 900, 0, 400, 4.0, 9.5, 11.0, 12.0, 400),
                        new IntervalPoint(1, 1500, 0, 300, 4.1, 9.8, 11.5, 13.0, 1200),
                        new IntervalPoint(2, 1500, 2, 0, 4.0, 9.1, 10.0, 10.5, 2000)),
                new RunSummary(
                        3.0,
                        4600,
                        Map.of("ok", 3898L, "waiting", 700L, "error", 2L),
                        Map.of("p50", 4.05, "p90", 7.5, "p99", 9.6, "p99.9", 11.2, "max", 13.0),
                        2000,
                        2000,
                        2.6,
                        3.0),
                Map.of("restores", Map.of("p50", 3.5, "p99", 8.0), "agents", Map.of("p50", 4.1, "p99", 9.7)));
    }
}
