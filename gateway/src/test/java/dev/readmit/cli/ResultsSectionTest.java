package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ResultsSectionTest {

    @Test
    void replacesOnlyTheTextBetweenItsOwnMarkers() {
        String doc = "# results\n\n<!-- jmh:start -->\nA\n<!-- jmh:end -->\n\n<!-- storm:start -->\nold\n"
                + "<!-- storm:end -->\n\n<!-- other:start -->\nB\n<!-- other:end -->\n";

        String out = ResultsSection.replace(doc, "storm", "new\nlines\n");

        assertThat(out)
                .isEqualTo("# results\n\n<!-- jmh:start -->\nA\n<!-- jmh:end -->\n\n<!-- storm:start -->\nnew\nlines\n"
                        + "<!-- storm:end -->\n\n<!-- other:start -->\nB\n<!-- other:end -->\n");
    }

    @Test
    void appendsTheSectionWhenTheDocumentHasNone() {
        assertThat(ResultsSection.replace("# results\n", "storm", "x"))
                .isEqualTo("# results\n\n<!-- storm:start -->\nx\n<!-- storm:end -->\n");
    }

    @Test
    void refusesAStartMarkerWithoutAnEnd() {
        assertThatThrownBy(() -> ResultsSection.replace("<!-- storm:start -->\nx\n", "storm", "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<!-- storm:end -->");
    }

    @Test
    void createsTheFileAndRewritesItsSectionInPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("benchmarks/RESULTS.md");

        ResultsSection.write(file, "storm", "first");
        Files.writeString(file, "prefix\n" + Files.readString(file) + "suffix\n", StandardCharsets.UTF_8);
        ResultsSection.write(file, "storm", "second");

        String text = Files.readString(file);
        assertThat(text).startsWith("prefix\n# readmit benchmark results").endsWith("suffix\n");
        assertThat(text)
                .contains("<!-- storm:start -->\nsecond\n<!-- storm:end -->")
                .doesNotContain("first");
    }
}
