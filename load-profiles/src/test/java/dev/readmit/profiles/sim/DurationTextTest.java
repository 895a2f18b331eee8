package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DurationTextTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "16ms, 16000000",
        "1.5s, 1500000000",
        "250us, 250000",
        "250µs, 250000",
        "7ns, 7",
        "2m, 120000000000",
        "1h, 3600000000000",
        "7d, 604800000000000",
        "' 3 S ', 3000000000"
    })
    void parsesANumberAndAUnit(String text, long nanos) {
        assertThat(DurationText.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5", "ms", "-3ms", "1.5.2s", "3 days", "0.1ns"})
    void rejectsWhatIsNotADurationWithUnit(String text) {
        assertThatThrownBy(() -> DurationText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PT30S, 30000000000", "pt2m, 120000000000", "P1D, 86400000000000", "1.5s, 1500000000"})
    void alsoReadsIso8601(String text, long nanos) {
        assertThat(DurationText.parseOrIso(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"P", "PT", "P3X", "5", "soon"})
    void refusesWhatIsNeitherWithTheText(String text) {
        assertThatThrownBy(() -> DurationText.parseOrIso(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"16000000, 16ms", "1500000000, 1.5s", "250000, 250us", "7, 7ns", "333333333, 333.3ms"})
    void formatsInTheLargestReadableUnit(long nanos, String text) {
        assertThat(DurationText.format(Duration.ofNanos(nanos))).isEqualTo(text);
    }
}
