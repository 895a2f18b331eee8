package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo end to end at a small scale: real simulated upstream, real gateway, real replays on 127.0.0.1. */
final class DemoCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ReadmitCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void replaysTheProfileDirectlyAndThroughReadmitAndPrintsBothSideBySide() throws Exception {
        Path report = dir.resolve("report");
        int code = run(
                "demo",
                "--scale",
                "0.004",
                "--speed",
                "20",
                "--capacity",
                "100",
                "--workers",
                "4",
                "--phase-duration",
                "6s",
                "--report",
                report.toString());

        String printed = out.toString();
        assertThat(code).as(err + printed).isZero();
        assertThat(printed)
                .contains("phase 1 of 2: every client straight at the upstream")
                .contains("phase 2 of 2: the same clients through readmit")
                .containsPattern("target\\s+http://127\\.0\\.0\\.1:\\d+\\s+http://127\\.0\\.0\\.1:\\d+")
                .contains("latency p99 ms")
                .contains("what the upstream saw:");

        // Through readmit the upstream never has more requests in flight than the concurrency limit's
        // maximum (twice the workers), whatever the direct phase did to it.
        Matcher gated = Pattern.compile("through readmit\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)")
                .matcher(printed);
        assertThat(gated.find()).as(printed).isTrue();
        long served = Long.parseLong(gated.group(1));
        long maxInFlight = Long.parseLong(gated.group(4));
        assertThat(served).isPositive();
        assertThat(maxInFlight).isBetween(1L, 8L);

        Path index = report.resolve("index.html");
        assertThat(index).exists();
        assertThat(Files.readString(index)).contains("through readmit").contains("direct");
        assertThat(printed).contains("report: " + index.toAbsolutePath());
    }

    @Test
    void refusesNonPositiveSettingsWithUsageExitCode() {
        assertThat(run("demo", "--capacity", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--scale, --speed and --capacity must be positive");
    }

    @Test
    void refusesAnUnknownProfileByName() {
        assertThat(run("demo", "--profile", "no-such-profile")).isNotZero();
        assertThat(err.toString()).contains("no-such-profile");
    }
}
