package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.gateway.LeakCheckExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the metrics reference and the Grafana dashboard true to what {@code /metrics} serves: every
 * metric they name exists in a scrape of a running gateway, and every {@code readmit_} metric of the
 * scrape is documented.
 */
@ExtendWith(LeakCheckExtension.class)
final class MetricsDocumentationTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:readmit|jvm|process|system|netty)_[a-z0-9_]+)");
    private static final Pattern SUFFIX = Pattern.compile("_(bucket|count|sum|max)$");

    @TempDir
    Path dir;

    private AdminFixture f;
    private Set<String> scraped;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
        AdminMetrics.bindProcessMetrics(f.registry);
        scraped = new TreeSet<>();
        for (String line : f.get("/metrics").body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                scraped.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private boolean served(String name) {
        return scraped.contains(name) || scraped.contains(name + "_bucket") || scraped.contains(name + "_count");
    }

    @Test
    void everyMetricOfTheDashboardIsServed() throws Exception {
        JsonNode dashboard = AdminFixture.JSON.readTree(Files.readString(DASHBOARD));
        Set<String> named = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC.matcher(target.get("expr").asText());
                while (m.find()) {
                    named.add(m.group(1));
                }
            }
        }
        assertThat(named).hasSizeGreaterThan(10);
        assertThat(named)
                .allSatisfy(
                        name -> assertThat(served(name)).as(name + " is served").isTrue());
    }

    @Test
    void everyMetricOfTheReferenceIsServedAndEveryReadmitMetricIsDocumented() throws Exception {
        String readme = Files.readString(README);
        Set<String> documented = new TreeSet<>();
        for (String line : readme.split("\n")) {
            if (line.startsWith("| `")) {
                Matcher m = METRIC.matcher(line.split("\\|")[1]);
                while (m.find()) {
                    documented.add(m.group(1));
                }
            }
        }
        assertThat(documented)
                .allSatisfy(
                        name -> assertThat(served(name)).as(name + " is served").isTrue());
        for (String name : scraped) {
            if (name.startsWith("readmit_")) {
                assertThat(documented).contains(SUFFIX.matcher(name).replaceAll(""));
            }
        }
    }
}
