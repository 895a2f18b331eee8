package dev.readmit.profiles.format;

import java.util.SplittableRandom;

/**
 * A distribution of non-negative numbers (milliseconds, bytes, counts) used by modelled profiles.
 *
 * <p>In a profile a distribution is either a bare number (a constant) or an object
 * {@code {"dist": "...", ...}}; see the module README for the parameters of each kind. Values are
 * immutable and thread safe; sampling draws from the random source it is given, so a seeded source
 * gives a reproducible plan.
 */
public sealed interface Distribution
        permits Distribution.Const,
                Distribution.Uniform,
                Distribution.Exponential,
                Distribution.Normal,
                Distribution.LogNormal {

    /** Draws one value, never negative. */
    double sample(SplittableRandom random);

    /** The expected value, used to describe a profile (e.g. in a dry run). */
    double mean();

    /** Always {@code value}. */
    record Const(double value) implements Distribution {
        @Override
        public double sample(SplittableRandom random) {
            return value;
        }

        @Override
        public double mean() {
            return value;
        }
    }

    /** Uniform on {@code [min, max]}. */
    record Uniform(double min, double max) implements Distribution {
        @Override
        public double sample(SplittableRandom random) {
            return min == max ? min : min + random.nextDouble() * (max - min);
        }

        @Override
        public double mean() {
            return (min + max) / 2;
        }
    }

    /** Exponential with the given mean, cut at {@code max} ({@code +Infinity} when absent). */
    record Exponential(double mean, double max) implements Distribution {
        @Override
        public double sample(SplittableRandom random) {
            return Math.min(max, -mean * Math.log(1 - random.nextDouble()));
        }
    }

    /** Normal, cut below at {@code min} (0 when absent) so that no sample is negative. */
    record Normal(double mean, double sd, double min) implements Distribution {
        @Override
        public double sample(SplittableRandom random) {
            return Math.max(min, mean + sd * gaussian(random));
        }
    }

    /**
     * Log-normal given by its median and 99th percentile, the two figures people know about sizes and
     * durations ({@code sigma = ln(p99 / median) / 2.3263}).
     */
    record LogNormal(double median, double p99) implements Distribution {
        private static final double Z99 = 2.326347874;

        @Override
        public double sample(SplittableRandom random) {
            return median * Math.exp(sigma() * gaussian(random));
        }

        @Override
        public double mean() {
            double sigma = sigma();
            return median * Math.exp(sigma * sigma / 2);
        }

        private double sigma() {
            return Math.log(p99 / median) / Z99;
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
