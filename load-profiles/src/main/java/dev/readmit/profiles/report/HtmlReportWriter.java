package dev.readmit.profiles.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Writes runs side by side as a self-contained HTML report: a directory holding {@code index.html} and
 * {@value #CHART_JS_FILE} (Chart.js, copied from its webjar), so it opens from disk with no network.
 *
 * <p>The page charts, per interval and one line per run: p50, p99, p99.9 and max latency, responses,
 * errors and waiting-room answers per second, and clients admitted so far; then the summary table of
 * {@link TextSummary}. The data is embedded as JSON in a {@code <script type="application/json">}
 * element, with {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped so that no run name, class or
 * title can end the element or inject markup; the page puts text in with {@code textContent} only.
 *
 * <p>Stateless and thread safe (two writers must not share one directory).
 */
public final class HtmlReportWriter {

    /** The report's page. */
    public static final String INDEX_FILE = "index.html";

    /** The charting library next to it. */
    public static final String CHART_JS_FILE = "chart.umd.js";

    /** Id of the element holding the embedded JSON. */
    public static final String DATA_ELEMENT_ID = "report-data";

    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    // The version the parent POM pins; used when the webjar's Maven metadata was stripped by repackaging.
    private static final String PINNED_CHART_JS_VERSION = "4.4.1";
    private static final ObjectWriter JSON = new ObjectMapper().writer().with(new HtmlSafeEscapes());

    private HtmlReportWriter() {}

    /**
     * Writes the report into {@code dir} (created if needed; the two files are replaced if present).
     *
     * @param dir the report directory
     * @param title the page's title; any text, shown as text
     * @param runs the runs, one column and one line per chart each; not empty
     * @return the path of {@code index.html}
     * @throws IllegalArgumentException if {@code runs} is empty
     * @throws IOException if the directory or files cannot be written
     * @throws IllegalStateException if Chart.js is not on the class path
     */
    public static Path write(Path dir, String title, List<RunResult> runs) throws IOException {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to report: give at least one");
        }
        Files.createDirectories(dir);
        copyChartJs(dir.resolve(CHART_JS_FILE));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", title == null ? "readmit report" : title);
        data.put("runs", runs);
        data.put("summary", TextSummary.rows(runs));
        String page = PAGE.replace("@@DATA@@", JSON.writeValueAsString(data));
        Path index = dir.resolve(INDEX_FILE);
        Files.writeString(index, page, StandardCharsets.UTF_8);
        return index;
    }

    private static void copyChartJs(Path target) throws IOException {
        String resource = "/META-INF/resources/webjars/chart.js/" + chartJsVersion() + "/dist/chart.umd.js";
        try (InputStream in = HtmlReportWriter.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Chart.js is missing from the class path (" + resource
                        + "): the org.webjars.npm:chart.js" + " dependency is needed to write reports");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String chartJsVersion() {
        try (InputStream in = HtmlReportWriter.class.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                return PINNED_CHART_JS_VERSION;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", PINNED_CHART_JS_VERSION);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + WEBJAR_PROPERTIES, e);
        }
    }

    /** JSON escapes that keep the document safe inside an HTML script element. */
    private static final class HtmlSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");
        private final int[] asciiEscapes;

        HtmlSafeEscapes() {
            asciiEscapes = standardAsciiEscapesForJSON();
            asciiEscapes['<'] = ESCAPE_STANDARD;
            asciiEscapes['>'] = ESCAPE_STANDARD;
            asciiEscapes['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return asciiEscapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == 0x2028) {
                return LINE_SEPARATOR;
            }
            if (ch == 0x2029) {
                return PARAGRAPH_SEPARATOR;
            }
            return null;
        }
    }

    private static final String PAGE =
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>readmit report</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
              h1 { font-size: 1.4rem; }
              p.note { color: #555; max-width: 60rem; }
              .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(30rem, 1fr)); gap: 1.5rem; }
              .chart { position: relative; height: 18rem; }
              table { border-collapse: collapse; margin-top: 1.5rem; font-variant-numeric: tabular-nums; }
              th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.75rem; text-align: right; }
              th:first-child, td:first-child { text-align: left; }
            </style>
            <script src="chart.umd.js"></script>
            </head>
            <body>
            <h1 id="title">readmit report</h1>
            <p class="note">Latency is measured from each request's scheduled send time, so a stall shows as
            latency instead of being hidden (coordinated omission). Each point is one interval of the run; one line
            per run. Errors exclude waiting-room answers (503/429 with Retry-After, and raw TCP connections closed before
            their greeting), which are charted apart.</p>
            <div class="charts" id="charts"></div>
            <h2>Summary</h2>
            <table id="summary"></table>
            <script type="application/json" id="report-data">@@DATA@@</script>
            <script>
            (function () {
              const data = JSON.parse(document.getElementById('report-data').textContent);
              document.title = data.title;
              document.getElementById('title').textContent = data.title;
              const finite = v => (typeof v === 'number' && isFinite(v)) ? v : null;
              const width = (points, i) => i + 1 < points.length
                ? Math.max(1e-9, points[i + 1].startSeconds - points[i].startSeconds)
                : (i > 0 ? width(points, i - 1) : 1);
              const perSecond = key => (p, i, points) => p[key] / width(points, i);
              const charts = [
                { title: 'p50 latency (ms)', value: p => finite(p.p50Millis) },
                { title: 'p99 latency (ms)', value: p => finite(p.p99Millis) },
                { title: 'p99.9 latency (ms)', value: p => finite(p.p999Millis) },
                { title: 'max latency (ms)', value: p => finite(p.maxMillis) },
                { title: 'responses per second', value: perSecond('requests') },
                { title: 'errors per second', value: perSecond('errors') },
                { title: 'waiting answers per second', value: perSecond('waiting') },
                { title: 'clients admitted', value: p => p.clientsAdmitted }
              ];
              const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
              const container = document.getElementById('charts');
              for (const chart of charts) {
                const box = document.createElement('div');
                box.className = 'chart';
                const canvas = document.createElement('canvas');
                box.appendChild(canvas);
                container.appendChild(box);
                const datasets = data.runs.map((run, r) => ({
                  label: run.name,
                  data: run.intervals.map((p, i, points) => ({ x: p.startSeconds, y: chart.value(p, i, points) })),
                  borderColor: colors[r % colors.length],
                  backgroundColor: colors[r % colors.length],
                  borderWidth: 1.5,
                  pointRadius: 0,
                  spanGaps: false
                }));
                new Chart(canvas, {
                  type: 'line',
                  data: { datasets: datasets },
                  options: {
                    animation: false,
                    maintainAspectRatio: false,
                    parsing: false,
                    interaction: { mode: 'nearest', axis: 'x', intersect: false },
                    plugins: { title: { display: true, text: chart.title } },
                    scales: {
                      x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
                      y: { beginAtZero: true }
                    }
                  }
                });
              }
              const table = document.getElementById('summary');
              data.summary.forEach((cells, r) => {
                const row = table.insertRow();
                cells.forEach(text => {
                  const cell = document.createElement(r === 0 ? 'th' : 'td');
                  cell.textContent = text;
                  row.appendChild(cell);
                });
              });
            })();
            </script>
            </body>
            </html>
            """;
}
