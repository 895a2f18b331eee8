package dev.readmit.admission;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a wait estimate into the seconds a client is told to wait before it comes back
 * ({@code Retry-After}), with bounded jitter so that a crowd told the same thing at the same moment
 * does not return in one wave.
 *
 * <p>The base is the estimate rounded up to whole seconds and clamped to {@code [min, max]}; the
 * answer is the base spread uniformly over {@code base * (1 +- jitter)}, rounded, never below
 * {@code min} and never below one second. Immutable and thread safe; draws from
 * {@link ThreadLocalRandom}, so it allocates nothing.
 */
public final class RetryAfter {

    private final int minSeconds;
    private final int maxSeconds;
    private final double jitter;

    private RetryAfter(int minSeconds, int maxSeconds, double jitter) {
        this.minSeconds = minSeconds;
        this.maxSeconds = maxSeconds;
        this.jitter = jitter;
    }

    /**
     * @param min the shortest retry-after, at least one second
     * @param max the longest retry-after, at least {@code min}
     * @param jitter the relative spread, in {@code [0, 0.5]}: 0.2 means plus or minus 20%
     */
    public static RetryAfter of(Duration min, Duration max, double jitter) {
        long minSeconds = min.toSeconds();
        long maxSeconds = max.toSeconds();
        if (minSeconds < 1) {
            throw new IllegalArgumentException("retryAfter.min must be at least 1s, got " + min);
        }
        if (maxSeconds < minSeconds || maxSeconds > 86_400) {
            throw new IllegalArgumentException(
                    "retryAfter.max must be between retryAfter.min (" + min + ") and 1 day, got " + max);
        }
        if (!(jitter >= 0.0 && jitter <= 0.5)) {
            throw new IllegalArgumentException("retryAfter.jitter must be between 0 and 0.5, got " + jitter);
        }
        return new RetryAfter((int) minSeconds, (int) maxSeconds, jitter);
    }

    /** One to sixty seconds, plus or minus 20%. */
    public static RetryAfter ofDefaults() {
        return of(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);
    }

    /** Jittered seconds for a client expected to wait {@code estimateNanos} (may be {@code Long.MAX_VALUE}). */
    public int seconds(long estimateNanos) {
        long whole = estimateNanos <= 0 ? 0 : (estimateNanos - 1) / 1_000_000_000L + 1;
        int base = (int) Math.max(minSeconds, Math.min(maxSeconds, whole));
        if (jitter == 0.0) {
            return base;
        }
        double spread = base * jitter * (2.0 * ThreadLocalRandom.current().nextDouble() - 1.0);
        long jittered = Math.round(base + spread);
        return (int) Math.max(
                Math.max(1, minSeconds), Math.min(maxSeconds + (long) Math.ceil(maxSeconds * jitter), jittered));
    }

    public int minSeconds() {
        return minSeconds;
    }

    public int maxSeconds() {
        return maxSeconds;
    }

    public double jitter() {
        return jitter;
    }
}
