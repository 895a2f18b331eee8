package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.RunSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code readmit bench storm} end to end at a tiny, bounded scale (real sockets on 127.0.0.1, a few
 * seconds): the runs happen, the targets are judged and printed, the report and the RESULTS.md section
 * are written. The figures themselves are the benchmark's business, not this test's.
 */
final class StormCommandTest {

    @Test
    void runsDirectAndThroughReadmitAndWritesItsSection(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        picocli.CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        Path results = dir.resolve("RESULTS.md");
        Files.writeString(results, "# results\n\n<!-- other:start -->\nkept\n<!-- other:end -->\n");

        int exit = cli.execute(
                "bench", "storm",
                "--clients", "20",
                "--capacity", "400",
                "--workers", "8",
                "--window", "1s",
                "--steady-duration", "1s",
                "--max-run", "3s",
                "--runs", "direct,readmit,readmit-baseline",
                "--report", dir.resolve("report").toString(),
                "--results", results.toString());

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("steady-state p99")
                .contains("| target | direct | readmit | readmit + baseline |")
                .contains("| no upstream overload error or timeout |")
                .contains("[readmit   1s]");
        String md = Files.readString(results);
        assertThat(md)
                .contains("<!-- other:start -->\nkept\n<!-- other:end -->")
                .contains("<!-- storm:start -->\n## Storm: a whole user base returns (issue 6)")
                .contains("readmit bench storm --clients 20")
                .contains("<!-- storm:end -->");
        assertThat(dir.resolve("report/index.html")).exists();
    }

    @Test
    void theBaselineIsTheMedianSecondsP99SoOneStallDoesNotBecomeIt() {
        List<IntervalPoint> seconds = new ArrayList<>();
        double[] p99s = {40, 42, 5000, 44, 41, 43, 39};
        for (int i = 0; i < p99s.length; i++) {
            seconds.add(new IntervalPoint(i, 1000, 0, 0, 15, p99s[i], p99s[i], p99s[i], 0));
        }
        // A second with too few answers to have a p99 of its own does not count.
        seconds.add(new IntervalPoint(7, 5, 0, 0, 15, 9000, 9000, 9000, 0));
        RunResult run = new RunResult(
                "steady",
                "http://127.0.0.1:1",
                seconds,
                new RunSummary(8, 7000, Map.of(), Map.of("p99", 4000.0), 1, 1, 1, 1),
                Map.of());

        assertThat(StormCommand.medianSecondP99(run)).isEqualTo(42);
    }

    @Test
    void refusesAnUnknownRunAndNamesIt() {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("bench", "storm", "--runs", "direct,haproxy");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("'haproxy' is not one of direct, nginx, readmit, readmit-baseline");
    }
}
