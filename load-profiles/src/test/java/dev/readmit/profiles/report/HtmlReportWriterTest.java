package dev.readmit.profiles.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HtmlReportWriterTest {

    private static final String DATA_OPEN = "<script type=\"application/json\" id=\"report-data\">";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The embedded data element's text, as a browser would see it: up to the first end tag. */
    private static String embeddedJson(String html) {
        int start = html.indexOf(DATA_OPEN);
        assertThat(start).as("data element").isNotNegative();
        start += DATA_OPEN.length();
        return html.substring(start, html.toLowerCase(java.util.Locale.ROOT).indexOf("</script", start));
    }

    @Test
    void writesAPageWithTheRunsEmbeddedAndChartJsBesideIt() throws IOException {
        List<RunResult> runs = List.of(Runs.direct(), Runs.throughReadmit());

        Path index = HtmlReportWriter.write(dir.resolve("report"), "Backup agents return", runs);

        assertThat(index).isEqualTo(dir.resolve("report/index.html"));
        String html = Files.readString(index);
        assertThat(html).contains("<script src=\"chart.umd.js\"></script>").doesNotContain("src=\"http");
        JsonNode data = JSON.readTree(embeddedJson(html));
        assertThat(data.get("title").asText()).isEqualTo("Backup agents return");
        List<RunResult> embedded = JSON.convertValue(data.get("runs"), new TypeReference<List<RunResult>>() {});
        assertThat(embedded).isEqualTo(runs);
        assertThat(JSON.convertValue(data.get("summary"), new TypeReference<List<List<String>>>() {}))
                .isEqualTo(TextSummary.rows(runs));

        byte[] chartJs = Files.readAllBytes(dir.resolve("report/chart.umd.js"));
        try (InputStream webjar =
                getClass().getResourceAsStream("/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js")) {
            assertThat(webjar).isNotNull();
            assertThat(chartJs).isEqualTo(webjar.readAllBytes());
        }
        assertThat(new String(chartJs, 0, 40, StandardCharsets.UTF_8)).contains("Chart.js v4.4.1");
    }

    @Test
    void keepsHostileNamesInsideTheDataAsText() throws IOException {
        String title = "</script><script>alert('title')</script>";
        String runName = "</SCRIPT ><img src=x onerror=alert(1)> & <!-- \u2028\u2029";
        String className = "<!--<script>";
        RunResult hostile = new RunResult(
                runName,
                "http://x/?a=1&b=<2>",
                Runs.direct().intervals(),
                Runs.direct().summary(),
                Map.of(className, Map.of("p99", 3.0)));

        String html = Files.readString(HtmlReportWriter.write(dir, title, List.of(hostile)));

        String json = embeddedJson(html);
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&");
        assertThat(json).doesNotContain("\u2028").doesNotContain("\u2029");
        assertThat(html).doesNotContainIgnoringCase("<img").doesNotContain("alert('title')</script>");
        JsonNode data = JSON.readTree(json);
        assertThat(data.get("title").asText()).isEqualTo(title);
        RunResult embedded = JSON.convertValue(data.get("runs").get(0), RunResult.class);
        assertThat(embedded).isEqualTo(hostile);
        assertThat(embedded.latencyMillisByClass()).containsKey(className);
    }

    @Test
    void replacesAnEarlierReportInTheSameDirectory() throws IOException {
        HtmlReportWriter.write(dir, "first", List.of(Runs.direct()));

        String html = Files.readString(HtmlReportWriter.write(dir, "second", List.of(Runs.throughReadmit())));

        JsonNode data = JSON.readTree(embeddedJson(html));
        assertThat(data.get("title").asText()).isEqualTo("second");
        assertThat(data.get("runs")).hasSize(1);
        assertThat(data.get("runs").get(0).get("name").asText()).isEqualTo("through readmit");
    }

    @Test
    void refusesAnEmptyListOfRuns() {
        assertThatThrownBy(() -> HtmlReportWriter.write(dir, "empty", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no runs to report: give at least one");
    }
}
