package dev.readmit.profiles.sim;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them on a command line or in a config file: a decimal number and a unit, such
 * as {@code 16ms}, {@code 1.5s}, {@code 250us}, {@code 2m}, {@code 7d}; {@link #parseOrIso} also takes
 * ISO-8601 ({@code PT30S}). The one dialect of every duration readmit reads: command-line options, the
 * gateway's config and the profiles' knobs.
 *
 * <p>Units: {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}.
 * A unit is required, so that {@code 5} is never silently read as seconds or milliseconds. Stateless and
 * thread safe.
 */
public final class DurationText {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h|d)");

    private DurationText() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the text and the accepted form if it is not a duration, is
     *     negative or is finer than a nanosecond
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a duration is required, e.g. 16ms, 1.5s, 250us");
        }
        Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration: use a number and a unit (ns, us, ms, s, m, h, d), e.g. 16ms,"
                            + " 1.5s, 250us");
        }
        BigDecimal nanosPerUnit = BigDecimal.valueOf(
                switch (matcher.group(2)) {
                    case "ns" -> 1L;
                    case "us", "µs" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 86_400_000_000_000L;
                });
        BigDecimal nanos = new BigDecimal(matcher.group(1)).multiply(nanosPerUnit);
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is finer than a nanosecond or too long: use whole nanoseconds at most", e);
        }
    }

    /**
     * Parses {@code text} as {@link #parse} does, or as ISO-8601 ({@code PT30S}, {@code P7D}) when it starts
     * with {@code P}.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms if it is neither
     */
    public static Duration parseOrIso(String text) {
        String upper = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (upper.startsWith("P")) {
            try {
                return Duration.parse(upper);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "'" + text + "' is not a duration: use a number and a unit, e.g. 16ms, 1.5s, 7d, or ISO-8601"
                                + " such as PT30S",
                        e);
            }
        }
        return parse(text);
    }

    /**
     * Formats {@code duration} in the largest unit that keeps it readable: {@code 16ms}, {@code 1.5s},
     * {@code 250us}. The output parses back with {@link #parse(String)} to within 0.1% of the input.
     */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos >= 1_000_000_000L) {
            return trim(nanos / 1e9) + "s";
        }
        if (nanos >= 1_000_000L) {
            return trim(nanos / 1e6) + "ms";
        }
        if (nanos >= 1_000L) {
            return trim(nanos / 1e3) + "us";
        }
        return nanos + "ns";
    }

    private static String trim(double value) {
        return BigDecimal.valueOf(value)
                .round(new MathContext(4))
                .stripTrailingZeros()
                .toPlainString();
    }
}
