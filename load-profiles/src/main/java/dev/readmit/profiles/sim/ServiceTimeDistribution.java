package dev.readmit.profiles.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How long a simulated worker stays busy with one request.
 *
 * <p>Each variant knows its mean, which with the number of workers gives the simulated service's
 * capacity: {@code capacity (requests/s) = workers / mean service time (s)}.
 *
 * <p>Text form ({@link #parse(String, Duration)}), as given to {@code readmit upstream-sim --service-time}:
 *
 * <ul>
 *   <li>{@code 16ms} or {@code constant:16ms}: always 16 ms;
 *   <li>{@code uniform:min=10ms,max=22ms}, or {@code uniform:16ms} for 50% to 150% of a mean;
 *   <li>{@code exponential:16ms} (or {@code exp:16ms}): memoryless, mean 16 ms;
 *   <li>{@code lognormal:16ms} or {@code lognormal:mean=16ms,sigma=0.8}: the long right tail of real
 *       services, mean 16 ms, shape sigma (default {@value #DEFAULT_SIGMA}).
 * </ul>
 *
 * A bare kind ({@code lognormal}) takes its mean from the caller, e.g. derived from a capacity.
 *
 * <p>Values are immutable and thread safe; {@link #sampleNanos(RandomGenerator)} is as thread safe as the
 * generator given to it.
 */
public sealed interface ServiceTimeDistribution {

    /** The lognormal shape used when none is given: p99 is about 3 times the mean. */
    double DEFAULT_SIGMA = 0.5;

    /** The mean service time, nanoseconds. */
    double meanNanos();

    /** Draws one service time, nanoseconds, at least 1. */
    long sampleNanos(RandomGenerator random);

    /** A readable form that {@link #parse(String, Duration)} accepts back. */
    String describe();

    /** Always {@code value}. */
    static ServiceTimeDistribution constant(Duration value) {
        return new Constant(value);
    }

    /** Uniform between {@code min} and {@code max}. */
    static ServiceTimeDistribution uniform(Duration min, Duration max) {
        return new Uniform(min, max);
    }

    /** Exponential with the given mean. */
    static ServiceTimeDistribution exponential(Duration mean) {
        return new Exponential(mean);
    }

    /** Lognormal with the given mean (not median) and shape {@code sigma} (the log's standard deviation). */
    static ServiceTimeDistribution lognormal(Duration mean, double sigma) {
        return new LogNormal(mean, sigma);
    }

    /**
     * The mean service time that gives {@code workers} workers a capacity of {@code capacityPerSecond}.
     *
     * @throws IllegalArgumentException if either is not positive or the mean would be under 1 ns
     */
    static Duration meanFor(double capacityPerSecond, int workers) {
        if (!(capacityPerSecond > 0) || Double.isInfinite(capacityPerSecond)) {
            throw new IllegalArgumentException(
                    "capacity must be a positive number of requests/s, got " + capacityPerSecond);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        long nanos = Math.round(workers * 1e9 / capacityPerSecond);
        if (nanos < 1) {
            throw new IllegalArgumentException(
                    "capacity " + capacityPerSecond + "/s with " + workers + " workers needs a service time under 1ns");
        }
        return Duration.ofNanos(nanos);
    }

    /**
     * Parses the text form described on this type.
     *
     * @param spec the text, e.g. {@code lognormal:mean=16ms,sigma=0.8}
     * @param defaultMean the mean to use when {@code spec} gives none; {@code null} if there is none
     * @throws IllegalArgumentException saying what is wrong and what is allowed
     */
    static ServiceTimeDistribution parse(String spec, Duration defaultMean) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("a service time is required, e.g. lognormal:16ms or 16ms");
        }
        String text = spec.trim();
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
        String args = colon < 0 ? "" : text.substring(colon + 1).trim();
        if (!kind.isEmpty() && Character.isDigit(kind.charAt(0))) {
            return constant(DurationText.parse(text));
        }
        Map<String, String> params = parseParams(spec, args);
        try {
            return switch (kind) {
                case "constant", "const" -> {
                    allowOnly(params, "mean");
                    yield constant(mean(spec, params, defaultMean));
                }
                case "uniform" -> {
                    allowOnly(params, "mean", "min", "max");
                    if (params.containsKey("min") || params.containsKey("max")) {
                        if (!params.containsKey("min") || !params.containsKey("max") || params.containsKey("mean")) {
                            throw new IllegalArgumentException("give both min and max, or a mean");
                        }
                        yield uniform(DurationText.parse(params.get("min")), DurationText.parse(params.get("max")));
                    }
                    Duration mean = mean(spec, params, defaultMean);
                    yield uniform(mean.dividedBy(2), mean.plus(mean.dividedBy(2)));
                }
                case "exponential", "exp" -> {
                    allowOnly(params, "mean");
                    yield exponential(mean(spec, params, defaultMean));
                }
                case "lognormal" -> {
                    allowOnly(params, "mean", "sigma");
                    double sigma = DEFAULT_SIGMA;
                    if (params.containsKey("sigma")) {
                        try {
                            sigma = Double.parseDouble(params.get("sigma"));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("sigma '" + params.get("sigma") + "' is not a number");
                        }
                    }
                    yield lognormal(mean(spec, params, defaultMean), sigma);
                }
                default -> throw new IllegalArgumentException(
                        "unknown kind '" + kind + "': use constant, uniform, exponential or lognormal");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("service time '")) {
                throw e;
            }
            throw new IllegalArgumentException("service time '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parseParams(String spec, String args) {
        Map<String, String> params = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return params;
        }
        for (String part : args.split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            String key = eq < 0 ? "mean" : item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? item : item.substring(eq + 1).trim();
            if (params.put(key, value) != null) {
                throw new IllegalArgumentException("service time '" + spec + "': " + key + " is given twice");
            }
        }
        return params;
    }

    private static void allowOnly(Map<String, String> params, String... allowed) {
        for (String key : params.keySet()) {
            if (!java.util.Arrays.asList(allowed).contains(key)) {
                throw new IllegalArgumentException(
                        "unknown parameter '" + key + "': allowed are " + String.join(", ", allowed));
            }
        }
    }

    private static Duration mean(String spec, Map<String, String> params, Duration defaultMean) {
        if (params.containsKey("mean")) {
            return DurationText.parse(params.get("mean"));
        }
        if (defaultMean == null) {
            throw new IllegalArgumentException(
                    "no mean given: write it (e.g. " + spec.trim() + ":16ms) or give a capacity to derive it from");
        }
        return defaultMean;
    }

    private static Duration requirePositive(String what, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /** Always the same service time. */
    record Constant(Duration value) implements ServiceTimeDistribution {
        public Constant {
            requirePositive("constant service time", value);
        }

        @Override
        public double meanNanos() {
            return value.toNanos();
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return value.toNanos();
        }

        @Override
        public String describe() {
            return "constant:" + DurationText.format(value);
        }
    }

    /** Uniform on {@code [min, max]}. */
    record Uniform(Duration min, Duration max) implements ServiceTimeDistribution {
        public Uniform {
            requirePositive("uniform min", min);
            requirePositive("uniform max", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "uniform max " + DurationText.format(max) + " is below min " + DurationText.format(min));
            }
        }

        @Override
        public double meanNanos() {
            return (min.toNanos() + (double) max.toNanos()) / 2;
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            long span = max.toNanos() - min.toNanos();
            return min.toNanos() + (span == 0 ? 0 : random.nextLong(span + 1));
        }

        @Override
        public String describe() {
            return "uniform:min=" + DurationText.format(min) + ",max=" + DurationText.format(max);
        }
    }

    /** Exponential: memoryless, standard deviation equal to the mean. */
    record Exponential(Duration mean) implements ServiceTimeDistribution {
        public Exponential {
            requirePositive("exponential mean", mean);
        }

        @Override
        public double meanNanos() {
            return mean.toNanos();
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return Math.max(1, Math.round(-mean.toNanos() * Math.log(1 - random.nextDouble())));
        }

        @Override
        public String describe() {
            return "exponential:" + DurationText.format(mean);
        }
    }

    /**
     * Lognormal with the given mean: {@code exp(mu + sigma * N(0,1))} with {@code mu = ln(mean) - sigma^2/2}.
     * Sigma is limited to {@code (0, 3]}: beyond that almost all the mean sits in rare huge samples.
     */
    record LogNormal(Duration mean, double sigma) implements ServiceTimeDistribution {
        public LogNormal {
            requirePositive("lognormal mean", mean);
            if (!(sigma > 0 && sigma <= 3)) {
                throw new IllegalArgumentException("lognormal sigma must be in (0, 3], got " + sigma);
            }
        }

        @Override
        public double meanNanos() {
            return mean.toNanos();
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            double mu = Math.log(mean.toNanos()) - sigma * sigma / 2;
            return Math.max(1, Math.round(Math.exp(mu + sigma * random.nextGaussian())));
        }

        @Override
        public String describe() {
            return "lognormal:mean=" + DurationText.format(mean) + ",sigma=" + sigma;
        }
    }
}
