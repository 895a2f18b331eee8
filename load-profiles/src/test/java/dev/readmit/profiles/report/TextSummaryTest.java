package dev.readmit.profiles.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TextSummaryTest {

    @Test
    void setsRunsSideBySideWithOneRowPerFigure() {
        String table = TextSummary.format(List.of(Runs.direct(), Runs.throughReadmit()));

        assertThat(table)
                .isEqualTo(
                        """
                                                                direct        through readmit
                        target                   http://127.0.0.1:8081  http://127.0.0.1:8080
                        duration s                                 3.4                    3.0
                        requests sent                             3640                   4600
                        responses ok                              2960                   3898
                        responses waiting                            -                    700
                        responses error                            340                      2
                        responses timeout                           40                      -
                        latency p50 ms                             420                   4.05
                        latency p90 ms                            3100                   7.50
                        latency p99 ms                            4900                   9.60
                        latency p99.9 ms                          4990                   11.2
                        latency max ms                            5003                   13.0
                        worst interval p99 ms                     4900                   9.80
                        worst interval p99.9 ms                   4990                   11.5
                        peak errors/s                            340.0                    2.0
                        clients                                   2000                   2000
                        clients admitted                          1800                   2000
                        all admitted after s                     never                    2.6
                        all finished after s                     never                    3.0
                        class agents p50 ms                        430                   4.10
                        class agents p99 ms                       4950                   9.70
                        class restores p50 ms                      380                   3.50
                        class restores p99 ms                     4800                   8.00
                        """);
    }

    @Test
    void keepsEachRowOnOneLineWhateverTheNames() {
        RunResult hostile = new RunResult(
                "two\nlines\tand a tab",
                "http://x",
                List.of(),
                Runs.direct().summary(),
                Map.of("class\rwith return", Map.of("p99", 1.0)));

        String table = TextSummary.format(List.of(hostile));

        assertThat(table.lines()).hasSize(TextSummary.rows(List.of(hostile)).size());
        assertThat(table).contains("two lines and a tab").contains("class class with return p99 ms");
        assertThat(table.lines().filter(line -> line.startsWith("worst interval p99 ms")))
                .singleElement()
                .asString()
                .endsWith("-");
    }

    @Test
    void refusesAnEmptyListOfRuns() {
        assertThatThrownBy(() -> TextSummary.format(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no runs to summarise: give at least one");
    }
}
