package dev.readmit.profiles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

final class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsANumberAndAUnitOrIso8601() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert(" 1.5s ")).isEqualTo(Duration.ofMillis(1500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(converter.convert("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("pt90s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void refusesANumberWithoutAUnitAndGarbageWithAnExample() {
        for (String bad : new String[] {"5", "soon", "P", "-3s"}) {
            assertThatThrownBy(() -> converter.convert(bad))
                    .as(bad)
                    .isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageContaining("'" + bad + "' is not a duration");
        }
    }
}
