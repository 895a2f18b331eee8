package dev.readmit.admission.health;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Additive increase, multiplicative decrease: the TCP congestion-avoidance rule applied to requests in
 * flight. Grows by about one for every {@code limit} successful samples while the limit is in use,
 * and multiplies by {@link Config#backoffRatio()} (default one half) when a request is dropped.
 * Always within {@link Config#minLimit()} and {@link Config#maxLimit()}.
 *
 * <p>Thread safe and lock-free: the whole state is one {@link AtomicLong} updated by CAS, so {@link
 * #onSample} never waits and never allocates.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>The limit is kept in fixed point (16 fractional bits) so that the additive step can be (rounded up)
 *       {@code 1/limit} per sample: one whole unit per window of about {@code limit} samples, which
 *       is roughly one round trip, as in TCP. Netflix concurrency-limits' {@code AIMDLimit} adds a
 *       whole unit per sample; at 2,000 requests/s that is +2,000 per second and the limit stops
 *       meaning anything until the first drop.
 *   <li>Growth happens only when at least half the limit is in use; an idle upstream says nothing
 *       about how much more it could take (the same guard as concurrency-limits).
 *   <li>One backoff per window: after a decrease, further drops are ignored until about {@code
 *       limit} more samples have arrived. A burst of timeouts from one bad moment is one congestion
 *       event, not fifty halvings down to the minimum (TCP's fast recovery makes the same choice).
 *   <li>Layout of the state word: the high 40 bits hold the limit (24 integer bits, 16 fractional
 *       bits), the low 24 bits the number of samples since the last backoff, saturating.
 * </ul>
 */
public final class AimdLimit implements Limit {

    /** The largest limit a config accepts. */
    public static final int MAX_LIMIT = 1_000_000;

    private static final int FRACTION_BITS = 16;
    private static final long ONE = 1L << FRACTION_BITS;
    private static final int SAMPLE_BITS = 24;
    private static final long SAMPLE_MASK = (1L << SAMPLE_BITS) - 1;
    private static final int LIMIT_SHIFT = SAMPLE_BITS + FRACTION_BITS;

    private final Config config;
    private final long minFixed;
    private final long maxFixed;
    private final AtomicLong state;

    private AimdLimit(Config config) {
        this.config = config;
        this.minFixed = config.minLimit() * ONE;
        this.maxFixed = config.maxLimit() * ONE;
        // The first drop must back off at once, so the sample counter starts saturated.
        this.state = new AtomicLong(pack(config.initialLimit() * ONE, SAMPLE_MASK));
    }

    /** An AIMD limit with the given configuration. */
    public static AimdLimit create(Config config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null; use AimdLimit.Config.ofDefaults()");
        }
        return new AimdLimit(config);
    }

    /** An AIMD limit with {@link Config#ofDefaults()}. */
    public static AimdLimit ofDefaults() {
        return new AimdLimit(Config.ofDefaults());
    }

    /** The configuration this limit runs with. */
    public Config config() {
        return config;
    }

    @Override
    public int currentLimit() {
        return (int) (state.get() >>> LIMIT_SHIFT);
    }

    @Override
    public void onSample(long rttNanos, int inFlight, boolean dropped) {
        long current;
        long next;
        do {
            current = state.get();
            long limitFixed = current >>> SAMPLE_BITS;
            long samples = current & SAMPLE_MASK;
            int limit = (int) (limitFixed >>> FRACTION_BITS);
            long nextSamples = samples == SAMPLE_MASK ? SAMPLE_MASK : samples + 1;
            long nextLimitFixed = limitFixed;
            if (dropped) {
                if (samples >= limit) {
                    nextLimitFixed = Math.max(minFixed, (long) (limitFixed * config.backoffRatio()));
                    nextSamples = 0;
                }
            } else if (2L * inFlight >= limit) {
                nextLimitFixed = Math.min(maxFixed, limitFixed + (ONE + limit - 1) / limit);
            }
            next = pack(nextLimitFixed, nextSamples);
            if (next == current) {
                return;
            }
        } while (!state.compareAndSet(current, next));
    }

    private static long pack(long limitFixed, long samples) {
        return (limitFixed << SAMPLE_BITS) | samples;
    }

    @Override
    public String toString() {
        return "AimdLimit[limit=" + currentLimit() + ", " + config + "]";
    }

    /**
     * Immutable configuration of an {@link AimdLimit}.
     *
     * @param initialLimit the limit before any sample, within [minLimit, maxLimit]; default 20
     * @param minLimit the floor, at least 1; default 4
     * @param maxLimit the ceiling, at most {@link #MAX_LIMIT}; default 1,000
     * @param backoffRatio the factor applied on a drop, in (0, 1); default 0.5
     */
    public record Config(int initialLimit, int minLimit, int maxLimit, double backoffRatio) {

        /** Validates every field and reports all errors together, each naming its field. */
        public Config {
            List<String> errors = new ArrayList<>();
            if (minLimit < 1) {
                errors.add("minLimit must be at least 1, got " + minLimit);
            }
            if (maxLimit > MAX_LIMIT) {
                errors.add("maxLimit must be at most " + MAX_LIMIT + ", got " + maxLimit);
            }
            if (maxLimit < minLimit) {
                errors.add("maxLimit must be at least minLimit (" + minLimit + "), got " + maxLimit);
            }
            if (initialLimit < minLimit || initialLimit > maxLimit) {
                errors.add("initialLimit must be within [minLimit, maxLimit] = [" + minLimit + ", " + maxLimit
                        + "], got " + initialLimit);
            }
            if (!(backoffRatio > 0.0 && backoffRatio < 1.0)) {
                errors.add("backoffRatio must be in (0, 1), got " + backoffRatio);
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid AimdLimit.Config: " + String.join("; ", errors));
            }
        }

        /** Initial 20, min 4, max 1,000, backoff 0.5. */
        public static Config ofDefaults() {
            return new Config(20, 4, 1_000, 0.5);
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /**
         * Builds a {@link Config}; each option may be set once, and {@link #build()} validates.
         * Not thread safe.
         */
        public static final class Builder {
            private final Config defaults = ofDefaults();
            private Integer initialLimit;
            private Integer minLimit;
            private Integer maxLimit;
            private Double backoffRatio;

            private Builder() {}

            /** See {@link Config#initialLimit()}. */
            public Builder initialLimit(int value) {
                initialLimit = once("initialLimit", initialLimit, value);
                return this;
            }

            /** See {@link Config#minLimit()}. */
            public Builder minLimit(int value) {
                minLimit = once("minLimit", minLimit, value);
                return this;
            }

            /** See {@link Config#maxLimit()}. */
            public Builder maxLimit(int value) {
                maxLimit = once("maxLimit", maxLimit, value);
                return this;
            }

            /** See {@link Config#backoffRatio()}. */
            public Builder backoffRatio(double value) {
                backoffRatio = once("backoffRatio", backoffRatio, value);
                return this;
            }

            /** The validated config; unset options keep their defaults. */
            public Config build() {
                return new Config(
                        initialLimit != null ? initialLimit : defaults.initialLimit(),
                        minLimit != null ? minLimit : defaults.minLimit(),
                        maxLimit != null ? maxLimit : defaults.maxLimit(),
                        backoffRatio != null ? backoffRatio : defaults.backoffRatio());
            }
        }
    }

    static <T> T once(String field, T previous, T value) {
        if (previous != null) {
            throw new IllegalStateException(field + " was already set to " + previous + "; refusing " + value);
        }
        return value;
    }
}
