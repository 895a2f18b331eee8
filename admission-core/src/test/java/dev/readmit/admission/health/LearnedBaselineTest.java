package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gate learns the upstream's healthy p99 when no {@code baselineP99} is configured (issue 6: with
 * the default configuration the gate only knew 500 ms and stayed green while the upstream's p99 was ten
 * times its healthy one).
 */
final class LearnedBaselineTest {

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock(1_000 * MS);

    /** The defaults, except that a better colour applies at once (so each window's verdict shows). */
    private static HealthThresholds.Builder defaults() {
        return HealthThresholds.builder().recoveryHold(Duration.ZERO);
    }

    private static void record(HealthSignal signal, int count, long latencyNanos) {
        for (int i = 0; i < count; i++) {
            signal.recordSuccess(latencyNanos);
        }
    }

    /** One second of {@code count} outcomes at {@code latencyNanos}, judged in 100 ms slices. */
    private HealthSnapshot second(HealthSignal signal, int count, long latencyNanos) {
        HealthSnapshot last = null;
        for (int slice = 0; slice < 10; slice++) {
            record(signal, count / 10, latencyNanos);
            last = signal.evaluate(clock.advanceNanos(100 * MS));
        }
        return last;
    }

    @Test
    void turnsAmberAboveTheLearnedBaselineWithTheDefaultConfiguration() {
        HealthSignal signal = HealthSignal.create(defaults().build(), clock);
        assertThat(signal.baselineP99Nanos()).as("nothing learnt yet").isZero();

        assertThat(second(signal, 2_000, 40 * MS).colour()).isEqualTo(GateColour.GREEN);
        assertThat(signal.baselineP99Nanos()).isCloseTo(40 * MS, withinPercentage(1));

        HealthSnapshot slower = second(signal, 2_000, 55 * MS);
        assertThat(slower.colour()).as("1.37x the learned baseline").isEqualTo(GateColour.AMBER);
        assertThat(slower.reason()).contains("learned baseline").contains("amberP99OverBaseline");

        HealthSnapshot queueing = second(signal, 2_000, 70 * MS);
        assertThat(queueing.colour()).as("1.75x the learned baseline").isEqualTo(GateColour.RED);
        assertThat(queueing.reason()).contains("redP99OverBaseline");
    }

    @Test
    void withoutLearningOnlyTheAbsoluteThresholdsApply() {
        HealthSignal signal =
                HealthSignal.create(defaults().learnBaselineSamples(0).build(), clock);
        second(signal, 2_000, 40 * MS);

        HealthSnapshot snapshot = second(signal, 2_000, 70 * MS);

        assertThat(signal.baselineP99Nanos()).isZero();
        assertThat(snapshot.colour()).as("70 ms is far below amberP99 500 ms").isEqualTo(GateColour.GREEN);
    }

    @Test
    void judgesNothingAgainstABaselineUntilAnEpochIsFull() {
        HealthSignal signal = HealthSignal.create(defaults().build(), clock);
        second(signal, 1_000, 10 * MS);

        HealthSnapshot snapshot = second(signal, 900, 70 * MS);

        assertThat(signal.baselineP99Nanos()).as("1,900 of 2,000 outcomes").isZero();
        assertThat(snapshot.colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void aConfiguredBaselineWinsOverTheLearnedOne() {
        HealthSignal signal = HealthSignal.create(
                defaults().baselineP99(Duration.ofMillis(100)).build(), clock);
        second(signal, 2_000, 40 * MS);

        HealthSnapshot snapshot = second(signal, 2_000, 70 * MS);

        assertThat(signal.baselineP99Nanos()).isEqualTo(100 * MS);
        assertThat(signal.learnedBaselineP99Nanos()).isZero();
        assertThat(snapshot.colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void doesNotLearnFromSlicesWithErrorsOrLimiterRefusals() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        HealthSignal signal = HealthSignal.create(defaults().build(), clock, limiter);
        for (int slice = 0; slice < 10; slice++) {
            record(signal, 300, 90 * MS);
            signal.recordError(90 * MS);
            signal.evaluate(clock.advanceNanos(100 * MS));
        }
        assertThat(limiter.tryAcquire()).isTrue();
        for (int slice = 0; slice < 10; slice++) {
            assertThat(limiter.tryAcquire())
                    .as("refused: the upstream is at its limit")
                    .isFalse();
            record(signal, 300, 90 * MS);
            signal.evaluate(clock.advanceNanos(100 * MS));
        }
        limiter.releaseWithoutSample();
        assertThat(signal.baselineP99Nanos())
                .as("6,000 strained outcomes teach nothing")
                .isZero();

        second(signal, 2_000, 40 * MS);

        assertThat(signal.baselineP99Nanos()).isCloseTo(40 * MS, withinPercentage(1));
    }

    @Test
    void fallsFastToAQuieterEpochAndRisesOnlySlowly() {
        HealthSignal signal = HealthSignal.create(defaults().build(), clock);
        second(signal, 2_000, 60 * MS);
        assertThat(signal.baselineP99Nanos()).isCloseTo(60 * MS, withinPercentage(1));

        second(signal, 2_000, 40 * MS);
        assertThat(signal.baselineP99Nanos()).as("half way down at once").isCloseTo(50 * MS, withinPercentage(1));

        for (int i = 0; i < 20; i++) {
            second(signal, 2_000, 60 * MS);
        }
        // Twenty epochs at 1.2x: the gate holding the upstream near its amber line must not teach
        // the gate that this is normal.
        assertThat(signal.baselineP99Nanos()).isLessThan(51 * MS);
    }

    @Test
    void refusesANegativeEpochSize() {
        assertThatThrownBy(() ->
                        HealthThresholds.builder().learnBaselineSamples(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learnBaselineSamples must be 0 (do not learn)");
    }
}
