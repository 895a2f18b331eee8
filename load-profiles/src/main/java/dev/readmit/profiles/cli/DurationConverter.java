package dev.readmit.profiles.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads durations such as {@code 500ms}, {@code 90s}, {@code 2m}, {@code 1h}, {@code 1.5s} or ISO {@code PT2M}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(v);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            double millis =
                    switch (m.group(2)) {
                        case "ms" -> n;
                        case "s" -> n * 1000;
                        case "m" -> n * 60_000;
                        default -> n * 3_600_000;
                    };
            return Duration.ofNanos(Math.round(millis * 1e6));
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (e.g. 500ms, 90s, 2m, 1h or PT2M)");
        }
    }
}
