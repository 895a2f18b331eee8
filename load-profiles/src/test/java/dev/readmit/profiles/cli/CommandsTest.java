package dev.readmit.profiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileReader;
import dev.readmit.profiles.replay.StubServer;
import dev.readmit.profiles.report.HtmlReportWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class CommandsTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void recordTurnsALogIntoAProfileAndReportsSkippedLinesByNumber() throws Exception {
        Path profile = dir.resolve("out.profile.jsonl");

        int code = run(
                new ProfileCommand(),
                "record",
                "--access-log",
                "src/test/resources/logs/combined.log",
                "--format",
                "combined",
                "--output",
                profile.toString(),
                "--class",
                "priority=^/v1/restore/");

        assertThat(code).isZero();
        assertThat(err.toString())
                .contains("combined.log:4: skipped: does not match the combined log format")
                .contains("combined.log:5: skipped: unknown method \"BREW\"")
                .contains("recorded 5 events of 3 clients");
        Profile p = ProfileReader.read(profile);
        assertThat(p.events()).hasSize(5);
        assertThat(p.events()).anySatisfy(e -> assertThat(e.className()).isEqualTo("priority"));
    }

    @Test
    void recordRejectsAnUnknownFormatNamingTheAllowedOnes() {
        int code = run(new ProfileCommand(), "record", "--access-log", "x.log", "--format", "w3c");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--format: 'w3c' unknown (one of combined, common, json)");
    }

    @Test
    void checkNamesTheLineAndFieldOfABadProfile() throws Exception {
        Path bad = dir.resolve("bad.profile.jsonl");
        Files.writeString(
                bad,
                "{\"type\":\"profile\",\"format\":\"readmit-profile/1\",\"name\":\"b\",\"kind\":\"recorded\"}\n"
                        + "{\"t_ms\":0,\"client\":\"a\",\"pth\":\"/\"}\n");

        int code = run(new ProfileCommand(), "check", bad.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("bad.profile.jsonl:2: pth: unknown field (did you mean \"path\"?)");
    }

    @Test
    void checkDescribesTheScaledPlanOfABundledProfile() {
        int code = run(new ProfileCommand(), "check", "backup-agents-return", "--scale", "0.02", "--speed", "10");

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("valid modelled profile \"backup-agents-return\"")
                .contains("101 clients {bulk=100, priority=1}");
    }

    @Test
    void replayWritesTheSummaryTheHistogramLogTheResultAndTheHtmlReport() throws Exception {
        Path report = dir.resolve("report");
        try (StubServer stub = new StubServer(s -> StubServer.Answer.ok())) {
            int code = run(
                    new ReplayCommand(),
                    "backup-agents-return",
                    "--target",
                    stub.uri().toString(),
                    "--scale",
                    "0.002",
                    "--speed",
                    "100",
                    "--report",
                    report.toString(),
                    "--grace",
                    "5s");

            assertThat(code).isZero();
            assertThat(out.toString()).contains("outcomes:").contains("ok ").contains("all finished:");
            assertThat(err.toString()).contains("sent");
            String hlog = Files.readString(report.resolve(ReplayCommand.HISTOGRAM_LOG));
            assertThat(hlog).contains("Tag=bulk/ok,").contains("Tag=generator/lag,");
            JsonNode result = new ObjectMapper()
                    .readTree(report.resolve(ReplayCommand.RESULT_JSON).toFile());
            assertThat(result.get("summary").get("clients").asLong()).isEqualTo(11);
            assertThat(result.get("summary").get("responses").get("ok").asLong())
                    .isEqualTo(result.get("summary").get("requestsSent").asLong());
            assertThat(result.get("intervals").size()).isPositive();
            String html = Files.readString(report.resolve(HtmlReportWriter.INDEX_FILE));
            assertThat(html).contains("readmit replay: backup-agents-return").contains("id=\"report-data\"");
            assertThat(report.resolve(HtmlReportWriter.CHART_JS_FILE)).isNotEmptyFile();
            assertThat(stub.seen)
                    .allSatisfy(s -> assertThat(s.headers().get("X-Client-Key")).isNotBlank());
        }
    }
}
