package dev.readmit.admission.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When the health gate turns amber or red. Immutable; build with {@link #builder()} or take {@link
 * #ofDefaults()}.
 *
 * <p>A window is judged only when it holds at least {@code minRequests} outcomes: with fewer, one
 * slow request would be the p99 and one error a 10 % error rate, and the verdict is green ("no
 * evidence of trouble"), so that a ramp stepped back to almost nothing can start again. In a judged
 * window of fewer than 100 outcomes the latency thresholds judge the second slowest outcome rather
 * than the p99 (which there is the slowest): see {@code HealthSignal.judgedPercentile}. Within a
 * judged window the colour is the worst of:
 *
 * <ul>
 *   <li>p99 above {@code redP99} or error rate (errors and timeouts over all outcomes) above {@code
 *       redErrorRate}: red; above {@code amberP99} / {@code amberErrorRate}: amber;
 *   <li>p99 above {@code baseline * redP99OverBaseline}: red; above {@code baseline *
 *       amberP99OverBaseline}: amber, where the baseline is {@code baselineP99} when set (not zero),
 *       and otherwise the healthy p99 the {@link HealthSignal} learns from the upstream itself (see
 *       {@code learnBaselineSamples}); no baseline judgement until one is known;
 *   <li>the concurrency limiter refused more than {@code amberRejectedRate} of the attempts: amber
 *       (admitted clients are already being turned away, so nobody new should be let in).
 * </ul>
 *
 * <p>A worse colour applies at once; a better one only after the raw verdict has been better for
 * {@code recoveryHold} continuously, so the gate does not flap at a threshold.
 *
 * @param window the span of recent outcomes each verdict looks at; default 1 s
 * @param minRequests outcomes a window needs to be judged; default 20
 * @param amberP99 absolute p99 for amber; default 500 ms
 * @param redP99 absolute p99 for red, at least {@code amberP99}; default 2 s
 * @param amberErrorRate error rate for amber, in [0, 1]; default 0.01
 * @param redErrorRate error rate for red, in [amberErrorRate, 1]; default 0.05
 * @param baselineP99 the upstream's healthy p99, {@link Duration#ZERO} when unknown; default zero
 * @param amberP99OverBaseline multiple of the baseline for amber, at least 1; default 1.25
 * @param redP99OverBaseline multiple of the baseline for red, at least {@code amberP99OverBaseline};
 *     default 1.5
 * @param amberRejectedRate share of limiter attempts refused for amber, in [0, 1]; default 0.25. A
 *     request that finds the limit full is refused once and acquires once when a slot is handed to
 *     it, so 0.25 means about a third of the requests waited for a slot. Why not lower: with the
 *     limit near the upstream's own concurrency, a busy but healthy upstream (85 % utilised) already
 *     makes a third of the arrivals wait a few milliseconds (Erlang C); a 1 % threshold turned the
 *     gate amber whenever the upstream was used well, halving the new-client rate and leaving it
 *     idle a moment later (a sawtooth measured by {@code readmit bench storm}, issue 6)
 * @param recoveryHold how long a better verdict must last before the colour improves; default 2 s
 * @param learnBaselineSamples when {@code baselineP99} is zero: how many outcomes, recorded while
 *     the upstream was unstrained (no error, no timeout, no limiter refusal in that slice), make one
 *     learning epoch whose p99 moves the learned baseline; 0 switches learning off (absolute
 *     thresholds only). Default 2,000: a p99 from 20 outcomes above it, about 5 % noise for a
 *     log-normal service time. Why learn at all: without a baseline the gate knew only its absolute
 *     500 ms and the upstream ran at capacity with a p99 ten times its healthy one while the gate
 *     stayed green (measured by {@code readmit bench storm}, issue 6)
 */
public record HealthThresholds(
        Duration window,
        int minRequests,
        Duration amberP99,
        Duration redP99,
        double amberErrorRate,
        double redErrorRate,
        Duration baselineP99,
        double amberP99OverBaseline,
        double redP99OverBaseline,
        double amberRejectedRate,
        Duration recoveryHold,
        int learnBaselineSamples) {

    /** Validates every field and reports all errors together, each naming its field. */
    public HealthThresholds {
        List<String> errors = new ArrayList<>();
        positive(errors, "window", window);
        if (minRequests < 1) {
            errors.add("minRequests must be at least 1, got " + minRequests);
        }
        positive(errors, "amberP99", amberP99);
        positive(errors, "redP99", redP99);
        if (amberP99 != null && redP99 != null && redP99.compareTo(amberP99) < 0) {
            errors.add("redP99 must be at least amberP99 (" + amberP99 + "), got " + redP99);
        }
        rate(errors, "amberErrorRate", amberErrorRate);
        rate(errors, "redErrorRate", redErrorRate);
        if (redErrorRate < amberErrorRate) {
            errors.add("redErrorRate must be at least amberErrorRate (" + amberErrorRate + "), got " + redErrorRate);
        }
        if (baselineP99 == null || baselineP99.isNegative()) {
            errors.add("baselineP99 must be zero (unknown) or positive, got " + baselineP99);
        }
        if (!(amberP99OverBaseline >= 1.0) || Double.isInfinite(amberP99OverBaseline)) {
            errors.add("amberP99OverBaseline must be a finite number of at least 1.0, got " + amberP99OverBaseline);
        }
        if (!(redP99OverBaseline >= amberP99OverBaseline) || Double.isInfinite(redP99OverBaseline)) {
            errors.add("redP99OverBaseline must be finite and at least amberP99OverBaseline (" + amberP99OverBaseline
                    + "), got " + redP99OverBaseline);
        }
        rate(errors, "amberRejectedRate", amberRejectedRate);
        if (recoveryHold == null || recoveryHold.isNegative()) {
            errors.add("recoveryHold must be zero or positive, got " + recoveryHold);
        }
        if (learnBaselineSamples < 0 || learnBaselineSamples > MAX_LEARN_BASELINE_SAMPLES) {
            errors.add("learnBaselineSamples must be 0 (do not learn) to " + MAX_LEARN_BASELINE_SAMPLES + ", got "
                    + learnBaselineSamples);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid HealthThresholds: " + String.join("; ", errors));
        }
    }

    private static void positive(List<String> errors, String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            errors.add(field + " must be a positive duration, got " + value);
        }
    }

    private static void rate(List<String> errors, String field, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            errors.add(field + " must be in [0, 1], got " + value);
        }
    }

    /** The defaults documented on each field. */
    public static HealthThresholds ofDefaults() {
        return new HealthThresholds(
                Duration.ofSeconds(1),
                20,
                Duration.ofMillis(500),
                Duration.ofSeconds(2),
                0.01,
                0.05,
                Duration.ZERO,
                1.25,
                1.5,
                0.25,
                Duration.ofSeconds(2),
                2_000);
    }

    /** The most outcomes one baseline-learning epoch may take. */
    public static final int MAX_LEARN_BASELINE_SAMPLES = 10_000_000;

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** True if a baseline p99 is configured. */
    public boolean hasBaseline() {
        return !baselineP99.isZero();
    }

    /** True if the signal learns a baseline: none is configured and learning is on. */
    public boolean learnsBaseline() {
        return baselineP99.isZero() && learnBaselineSamples > 0;
    }

    /** Builds {@link HealthThresholds}; each option may be set once, and {@link #build()} validates. Not thread safe. */
    public static final class Builder {
        private final HealthThresholds defaults = ofDefaults();
        private Duration window;
        private Integer minRequests;
        private Duration amberP99;
        private Duration redP99;
        private Double amberErrorRate;
        private Double redErrorRate;
        private Duration baselineP99;
        private Double amberP99OverBaseline;
        private Double redP99OverBaseline;
        private Double amberRejectedRate;
        private Duration recoveryHold;
        private Integer learnBaselineSamples;

        private Builder() {}

        /** See {@link HealthThresholds#window()}. */
        public Builder window(Duration value) {
            window = AimdLimit.once("window", window, value);
            return this;
        }

        /** See {@link HealthThresholds#minRequests()}. */
        public Builder minRequests(int value) {
            minRequests = AimdLimit.once("minRequests", minRequests, value);
            return this;
        }

        /** See {@link HealthThresholds#amberP99()}. */
        public Builder amberP99(Duration value) {
            amberP99 = AimdLimit.once("amberP99", amberP99, value);
            return this;
        }

        /** See {@link HealthThresholds#redP99()}. */
        public Builder redP99(Duration value) {
            redP99 = AimdLimit.once("redP99", redP99, value);
            return this;
        }

        /** See {@link HealthThresholds#amberErrorRate()}. */
        public Builder amberErrorRate(double value) {
            amberErrorRate = AimdLimit.once("amberErrorRate", amberErrorRate, value);
            return this;
        }

        /** See {@link HealthThresholds#redErrorRate()}. */
        public Builder redErrorRate(double value) {
            redErrorRate = AimdLimit.once("redErrorRate", redErrorRate, value);
            return this;
        }

        /** See {@link HealthThresholds#baselineP99()}. */
        public Builder baselineP99(Duration value) {
            baselineP99 = AimdLimit.once("baselineP99", baselineP99, value);
            return this;
        }

        /** See {@link HealthThresholds#amberP99OverBaseline()}. */
        public Builder amberP99OverBaseline(double value) {
            amberP99OverBaseline = AimdLimit.once("amberP99OverBaseline", amberP99OverBaseline, value);
            return this;
        }

        /** See {@link HealthThresholds#redP99OverBaseline()}. */
        public Builder redP99OverBaseline(double value) {
            redP99OverBaseline = AimdLimit.once("redP99OverBaseline", redP99OverBaseline, value);
            return this;
        }

        /** See {@link HealthThresholds#amberRejectedRate()}. */
        public Builder amberRejectedRate(double value) {
            amberRejectedRate = AimdLimit.once("amberRejectedRate", amberRejectedRate, value);
            return this;
        }

        /** See {@link HealthThresholds#recoveryHold()}. */
        public Builder recoveryHold(Duration value) {
            recoveryHold = AimdLimit.once("recoveryHold", recoveryHold, value);
            return this;
        }

        /** See {@link HealthThresholds#learnBaselineSamples()}. */
        public Builder learnBaselineSamples(int value) {
            learnBaselineSamples = AimdLimit.once("learnBaselineSamples", learnBaselineSamples, value);
            return this;
        }

        /** The validated thresholds; unset options keep their defaults. */
        public HealthThresholds build() {
            return new HealthThresholds(
                    window != null ? window : defaults.window(),
                    minRequests != null ? minRequests : defaults.minRequests(),
                    amberP99 != null ? amberP99 : defaults.amberP99(),
                    redP99 != null ? redP99 : defaults.redP99(),
                    amberErrorRate != null ? amberErrorRate : defaults.amberErrorRate(),
                    redErrorRate != null ? redErrorRate : defaults.redErrorRate(),
                    baselineP99 != null ? baselineP99 : defaults.baselineP99(),
                    amberP99OverBaseline != null ? amberP99OverBaseline : defaults.amberP99OverBaseline(),
                    redP99OverBaseline != null ? redP99OverBaseline : defaults.redP99OverBaseline(),
                    amberRejectedRate != null ? amberRejectedRate : defaults.amberRejectedRate(),
                    recoveryHold != null ? recoveryHold : defaults.recoveryHold(),
                    learnBaselineSamples != null ? learnBaselineSamples : defaults.learnBaselineSamples());
        }
    }
}
