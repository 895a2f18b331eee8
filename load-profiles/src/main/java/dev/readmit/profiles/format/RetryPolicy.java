package dev.readmit.profiles.format;

import java.util.SplittableRandom;

/**
 * When a client that does not honour {@code Retry-After} tries again after a waiting answer.
 * Immutable and thread safe.
 */
public sealed interface RetryPolicy permits RetryPolicy.Immediate, RetryPolicy.Backoff {

    /**
     * Milliseconds to wait before attempt {@code attempt} (1 for the first retry).
     *
     * @param random the client's random source
     */
    double delayMillis(int attempt, SplittableRandom random);

    /** Retry at once, as a badly written client does. */
    record Immediate() implements RetryPolicy {
        @Override
        public double delayMillis(int attempt, SplittableRandom random) {
            return 0;
        }
    }

    /**
     * Exponential backoff {@code min(cap, base * 2^(attempt-1))} with a jitter as in AWS's "Exponential
     * Backoff and Jitter": {@code full} draws in {@code [0, d]}, {@code equal} in {@code [d/2, d]},
     * {@code none} waits exactly {@code d}.
     */
    record Backoff(double baseMillis, double capMillis, Jitter jitter) implements RetryPolicy {
        @Override
        public double delayMillis(int attempt, SplittableRandom random) {
            double d = Math.min(capMillis, baseMillis * Math.pow(2, Math.max(0, attempt - 1)));
            return switch (jitter) {
                case FULL -> random.nextDouble() * d;
                case EQUAL -> d / 2 + random.nextDouble() * d / 2;
                case NONE -> d;
            };
        }
    }

    /** Jitter kinds of {@link Backoff}. */
    enum Jitter {
        FULL,
        EQUAL,
        NONE
    }
}
