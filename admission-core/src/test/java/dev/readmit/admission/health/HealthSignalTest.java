package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class HealthSignalTest {

    @Test
    void reasonsFormatNumbersAsPercentFormatWould() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            // Exact halves (1.005, 0.15, ...) first, where a rounding shortcut would differ; then any size.
            double v = i < 20_000 ? i / 200.0 : random.nextDouble(0, 5_000) / Math.pow(10, random.nextInt(6));
            assertThat(HealthSignal.fixed(v, 1))
                    .as("%.1f of " + v)
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f", v));
            assertThat(HealthSignal.fixed(v, 2))
                    .as("%.2f of " + v)
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", v));
        }
    }

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock(1_000 * MS);

    private static HealthThresholds.Builder thresholds() {
        return HealthThresholds.builder()
                .minRequests(10)
                .amberP99(Duration.ofMillis(100))
                .redP99(Duration.ofMillis(400))
                .amberErrorRate(0.02)
                .redErrorRate(0.10)
                .recoveryHold(Duration.ZERO);
    }

    private static void record(HealthSignal signal, int count, long latencyNanos) {
        for (int i = 0; i < count; i++) {
            signal.recordSuccess(latencyNanos);
        }
    }

    private HealthSnapshot tick(HealthSignal signal, long millis) {
        return signal.evaluate(clock.advanceNanos(millis * MS));
    }

    @Test
    void computesWindowedPercentilesErrorRateAndRequestRate() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        for (int i = 1; i <= 1_000; i++) {
            signal.recordSuccess(i * MS / 10);
        }
        signal.recordError(5 * MS);
        signal.recordTimeout(300 * MS);

        HealthSnapshot snapshot = tick(signal, 500);

        assertThat(snapshot.requests()).isEqualTo(1_002);
        assertThat(snapshot.errors()).isEqualTo(1);
        assertThat(snapshot.timeouts()).isEqualTo(1);
        assertThat(snapshot.errorRate()).isCloseTo(2.0 / 1_002, within(1e-9));
        assertThat(snapshot.requestsPerSecond()).isCloseTo(2_004.0, within(1e-6));
        assertThat(snapshot.p50Nanos()).isCloseTo(50 * MS, withinPercentage(1));
        assertThat(snapshot.p99Nanos()).isCloseTo(99 * MS, withinPercentage(1));
        assertThat(snapshot.p999Nanos()).isCloseTo(100 * MS, withinPercentage(1));
        assertThat(snapshot.maxNanos()).isCloseTo(300 * MS, withinPercentage(1));
        assertThat(snapshot.windowNanos()).isEqualTo(500 * MS);
        assertThat(snapshot.atNanos()).isEqualTo(clock.nanoTime());
    }

    @Test
    void forgetsOutcomesOlderThanTheWindow() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 50, 900 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.RED);

        for (int i = 0; i < 9; i++) {
            record(signal, 50, 10 * MS);
            assertThat(tick(signal, 100).p99Nanos())
                    .as("the slow slice is still inside the 1 s window")
                    .isGreaterThan(800 * MS);
        }
        record(signal, 50, 10 * MS);
        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.requests()).isEqualTo(500);
        assertThat(snapshot.p99Nanos()).isCloseTo(10 * MS, withinPercentage(1));
        assertThat(snapshot.colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void isGreenWithinThresholds() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 100, 20 * MS);

        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.colour()).isEqualTo(GateColour.GREEN);
        assertThat(signal.colour()).isEqualTo(GateColour.GREEN);
        assertThat(snapshot.reason()).startsWith("within thresholds");
    }

    @Test
    void turnsAmberWhenP99ExceedsTheAmberThreshold() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 95, 20 * MS);
        record(signal, 5, 150 * MS);

        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.colour()).isEqualTo(GateColour.AMBER);
        assertThat(signal.colour()).isEqualTo(GateColour.AMBER);
        assertThat(snapshot.reason()).contains("amberP99");
    }

    @Test
    void turnsRedWhenP99ExceedsTheRedThreshold() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 95, 20 * MS);
        record(signal, 5, 500 * MS);

        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.RED);
        assertThat(signal.lastSnapshot().reason()).contains("redP99");
    }

    @Test
    void turnsAmberOnAModestErrorRateAndRedOnAHighOne() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 97, 20 * MS);
        signal.recordError(20 * MS);
        signal.recordError(20 * MS);
        signal.recordTimeout(20 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.AMBER);

        for (int i = 0; i < 20; i++) {
            signal.recordError(20 * MS);
        }
        HealthSnapshot snapshot = tick(signal, 100);
        assertThat(snapshot.colour()).isEqualTo(GateColour.RED);
        assertThat(snapshot.reason()).contains("redErrorRate");
    }

    @Test
    void judgesP99AgainstABaselineWhenOneIsSet() {
        HealthSignal signal = HealthSignal.create(
                thresholds().baselineP99(Duration.ofMillis(20)).build(), clock);
        record(signal, 100, 27 * MS);
        assertThat(tick(signal, 2_000).colour()).as("1.35x the baseline").isEqualTo(GateColour.AMBER);

        record(signal, 100, 35 * MS);
        HealthSnapshot snapshot = tick(signal, 2_000);
        assertThat(snapshot.colour()).as("1.75x the baseline").isEqualTo(GateColour.RED);
        assertThat(snapshot.reason()).contains("redP99OverBaseline");
    }

    @Test
    void atLowTrafficOneSlowRequestAloneDoesNotTurnTheGateRedButTwoDo() {
        HealthSignal signal = HealthSignal.create(
                thresholds().baselineP99(Duration.ofMillis(20)).build(), clock);
        record(signal, 40, 20 * MS);
        signal.recordSuccess(5_000 * MS);

        HealthSnapshot one = tick(signal, 100);

        assertThat(one.p99Nanos()).as("the window's p99 is its slowest").isCloseTo(5_000 * MS, withinPercentage(1));
        assertThat(one.colour()).as("one slow request among 41").isEqualTo(GateColour.GREEN);
        assertThat(one.reason()).startsWith("within thresholds (p99 (second slowest of 41) 20.");

        signal.recordSuccess(600 * MS);
        HealthSnapshot two = tick(signal, 100);

        assertThat(two.colour()).as("two slow requests among 42").isEqualTo(GateColour.RED);
        assertThat(two.reason()).contains("p99 (second slowest of 42) 60").contains("ms > redP99");
    }

    @Test
    void fromAHundredOutcomesTheGateJudgesTheTrueP99() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 98, 20 * MS);
        record(signal, 2, 500 * MS);

        HealthSnapshot snapshot = tick(signal, 100);

        // Rank 99 of 100 is the second slowest: the same request either rule picks.
        assertThat(snapshot.colour()).isEqualTo(GateColour.RED);
        assertThat(snapshot.reason()).startsWith("p99 50").contains("ms > redP99");

        for (long n = 2; n < 1_000; n++) {
            double p = HealthSignal.judgedPercentile(n);
            long rank = (long) Math.ceil(Math.nextDown(p) / 100.0 * n);
            long p99Rank = (long) Math.ceil(Math.nextDown(99.0) / 100.0 * n);
            assertThat(rank)
                    .as("rank judged among " + n)
                    .isEqualTo(n < HealthSignal.JUDGED_P99_FULL_FROM ? n - 1 : p99Rank);
        }
    }

    @Test
    void staysGreenWithTooFewRequestsToJudge() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        for (int i = 0; i < 9; i++) {
            signal.recordTimeout(5_000 * MS);
        }

        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.colour()).isEqualTo(GateColour.GREEN);
        assertThat(snapshot.reason()).contains("too few requests");
    }

    @Test
    void turnsAmberWhenTheLimiterRefusesTooMany() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock, limiter);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        record(signal, 20, 10 * MS);

        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.colour()).isEqualTo(GateColour.AMBER);
        assertThat(snapshot.rejectedRate()).isEqualTo(0.5);
        assertThat(snapshot.limit()).isEqualTo(1);
        assertThat(snapshot.inFlight()).isEqualTo(1);
    }

    @Test
    void worsensAtOnceButImprovesOnlyAfterTheRecoveryHold() {
        HealthSignal signal = HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .window(Duration.ofMillis(100))
                        .amberP99(Duration.ofMillis(100))
                        .redP99(Duration.ofMillis(400))
                        .recoveryHold(Duration.ofMillis(500))
                        .build(),
                clock);
        record(signal, 20, 900 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.RED);

        for (int i = 0; i < 5; i++) {
            record(signal, 20, 10 * MS);
            HealthSnapshot held = tick(signal, 100);
            assertThat(held.colour()).as("tick %d after recovery began", i).isEqualTo(GateColour.RED);
            assertThat(held.reason()).startsWith("staying red until green has lasted 500 ms");
        }
        record(signal, 20, 10 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.GREEN);
        assertThat(signal.colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void aRelapseDuringRecoveryRestartsTheHold() {
        HealthSignal signal = HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .window(Duration.ofMillis(100))
                        .amberP99(Duration.ofMillis(100))
                        .redP99(Duration.ofMillis(400))
                        .recoveryHold(Duration.ofMillis(300))
                        .build(),
                clock);
        record(signal, 20, 900 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.RED);
        record(signal, 20, 10 * MS);
        assertThat(tick(signal, 200).colour()).isEqualTo(GateColour.RED);
        record(signal, 20, 900 * MS);
        assertThat(tick(signal, 100).colour()).as("the relapse").isEqualTo(GateColour.RED);
        record(signal, 20, 10 * MS);
        tick(signal, 100);
        record(signal, 20, 10 * MS);

        assertThat(tick(signal, 200).colour())
                .as("400 ms since recovery first began, but only 200 ms since the relapse")
                .isEqualTo(GateColour.RED);
        record(signal, 20, 10 * MS);
        assertThat(tick(signal, 100).colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void keepsAboutTwentySlicesHoweverOftenItIsEvaluated() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);

        for (int i = 0; i < 3_000; i++) {
            signal.recordSuccess(10 * MS);
            tick(signal, 1);
        }

        assertThat(signal.sliceCount()).isBetween(20, 22);
        HealthSnapshot snapshot = signal.lastSnapshot();
        assertThat(snapshot.requests()).isBetween(1_000L, 1_050L);
        assertThat(snapshot.requestsPerSecond()).isCloseTo(1_000.0, withinPercentage(1));
    }

    @Test
    void appliesReplacedThresholdsAtTheNextEvaluation() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        record(signal, 100, 50 * MS);
        clock.advanceNanos(100 * MS);
        assertThat(signal.evaluate().colour()).isEqualTo(GateColour.GREEN);

        signal.updateThresholds(HealthThresholds.builder()
                .minRequests(10)
                .amberP99(Duration.ofMillis(20))
                .recoveryHold(Duration.ZERO)
                .build());
        record(signal, 100, 50 * MS);
        clock.advanceNanos(100 * MS);

        assertThat(signal.evaluate().colour()).isEqualTo(GateColour.AMBER);
        assertThat(signal.thresholds().amberP99()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void clampsLatenciesOutsideTheTrackedRange() {
        HealthSignal signal = HealthSignal.create(thresholds().build(), clock);
        signal.recordSuccess(-5);
        signal.recordTimeout(Long.MAX_VALUE);

        HealthSnapshot snapshot = tick(signal, 100);

        assertThat(snapshot.requests()).isEqualTo(2);
        assertThat(snapshot.maxNanos()).isCloseTo(HealthSignal.HIGHEST_NANOS, withinPercentage(1));
    }

    @Test
    void startsGreenBeforeAnyEvaluation() {
        HealthSignal signal = HealthSignal.create(HealthThresholds.ofDefaults(), clock);

        assertThat(signal.colour()).isEqualTo(GateColour.GREEN);
        assertThat(signal.lastSnapshot().requests()).isZero();
    }

    @Test
    void rejectsInvalidThresholdsNamingEveryField() {
        assertThatThrownBy(() -> HealthThresholds.builder()
                        .window(Duration.ZERO)
                        .amberP99(Duration.ofSeconds(3))
                        .redP99(Duration.ofSeconds(1))
                        .amberErrorRate(1.5)
                        .recoveryHold(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window must be a positive duration")
                .hasMessageContaining("redP99 must be at least amberP99")
                .hasMessageContaining("amberErrorRate must be in [0, 1], got 1.5")
                .hasMessageContaining("recoveryHold");
        assertThatThrownBy(() ->
                        HealthThresholds.builder().window(Duration.ofSeconds(1)).window(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("window was already set");
    }
}
