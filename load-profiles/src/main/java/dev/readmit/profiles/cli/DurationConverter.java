package dev.readmit.profiles.cli;

import dev.readmit.profiles.sim.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads command-line durations: a number and a unit as {@link DurationText} reads them ({@code 500ms},
 * {@code 90s}, {@code 2m}, {@code 1.5s}, {@code 250us}), or ISO-8601 ({@code PT2M}).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return DurationText.parseOrIso(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (e.g. 500ms, 90s, 2m, 1h or PT2M)");
        }
    }
}
