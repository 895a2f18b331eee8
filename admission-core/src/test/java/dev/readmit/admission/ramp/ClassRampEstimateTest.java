package dev.readmit.admission.ramp;

import static dev.readmit.admission.health.GateColour.AMBER;
import static dev.readmit.admission.health.GateColour.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ClassRampEstimateTest {

    private static final long S = 1_000_000_000L;

    private final RampShape steps = RampShape.Steps.of(
            0.1, Duration.ofSeconds(10), 0.3, Duration.ofSeconds(20), 0.6, Duration.ofSeconds(30), 1.0, Duration.ZERO);

    @Test
    void isZeroForAnEligiblePosition() {
        RampFixture f = new RampFixture(steps, 0.1);

        assertThat(f.ramp.isEligible(0.05)).isTrue();
        assertThat(f.ramp.nanosUntilOpen(0.05, f.clock.nanoTime())).isZero();
    }

    @Test
    void addsTheRestOfThisHoldAndTheHoldsOfTheStepsInBetween() {
        RampFixture f = new RampFixture(steps, 0.1);
        long now = f.clock.nanoTime();

        assertThat(f.ramp.nanosUntilOpen(0.2, now)).isEqualTo(10 * S);
        assertThat(f.ramp.nanosUntilOpen(0.3, now))
                .as("0.3 opens with the step after 0.3")
                .isEqualTo(30 * S);
        assertThat(f.ramp.nanosUntilOpen(0.7, now)).isEqualTo(60 * S);
    }

    @Test
    void shrinksAsTheRampMovesAndBetweenTicks() {
        RampFixture f = new RampFixture(steps, 0.1);
        f.tickFor(GREEN, Duration.ofSeconds(4));

        assertThat(f.ramp.nanosUntilOpen(0.7, f.clock.nanoTime())).isEqualTo(56 * S);
        assertThat(f.ramp.nanosUntilOpen(0.7, f.clock.nanoTime() + S / 20)).isEqualTo(56 * S - S / 20);

        f.tickFor(GREEN, Duration.ofSeconds(10));
        assertThat(f.ramp.openFraction()).isEqualTo(0.3);
        assertThat(f.ramp.nanosUntilOpen(0.7, f.clock.nanoTime())).isEqualTo(46 * S);
    }

    @Test
    void assumesAHeldRampResumesNow() {
        RampFixture f = new RampFixture(steps, 0.1);
        f.tickFor(GREEN, Duration.ofSeconds(4));
        f.tickFor(AMBER, Duration.ofSeconds(30));

        assertThat(f.ramp.state()).isEqualTo(RampState.HOLDING);
        assertThat(f.ramp.nanosUntilOpen(0.2, f.clock.nanoTime())).isEqualTo(6 * S);
        assertThat(f.ramp.nanosUntilOpen(0.2, f.clock.nanoTime() + 5 * S)).isEqualTo(6 * S);
    }

    @Test
    void isUnknownWhilePausedOrBeyondTheEndOfTheShape() {
        RampFixture f = new RampFixture(new RampShape.Linear(0.0, 0.5, Duration.ofSeconds(50), 5), 0.0);
        assertThat(f.ramp.nanosUntilOpen(0.45, f.clock.nanoTime())).isEqualTo(50 * S);
        assertThat(f.ramp.nanosUntilOpen(0.5, f.clock.nanoTime())).isEqualTo(Long.MAX_VALUE);

        f.ramp.pause("alice");
        assertThat(f.ramp.nanosUntilOpen(0.45, f.clock.nanoTime())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void startingBelowTheFirstStepOpensToItOnTheFirstGreenTick() {
        RampFixture f = new RampFixture(new RampShape.Doubling(0.125, Duration.ofSeconds(10)), 0.0);
        assertThat(f.ramp.nanosUntilOpen(0.1, f.clock.nanoTime())).isZero();
        assertThat(f.ramp.isEligible(0.1)).isFalse();

        f.tickOnce(AMBER);
        assertThat(f.ramp.openFraction()).isZero();
        f.tickOnce(GREEN);
        f.tickOnce(GREEN);

        assertThat(f.ramp.openFraction()).isEqualTo(0.125);
        assertThat(f.ramp.isEligible(0.1)).isTrue();
    }

    @Test
    void statusShowsTheNextStepAndTheTimeToIt() {
        RampFixture f = new RampFixture(steps, 0.1);
        f.tickFor(GREEN, Duration.ofSeconds(4));

        assertThat(f.plan.status(f.clock.nanoTime() + S))
                .containsExactly(new RampStatus("everyone", false, RampState.RAMPING, 0.1, 0.3, 5 * S));

        f.ramp.pause("alice");
        assertThat(f.ramp.status(f.clock.nanoTime()).nanosToNextStep()).isEqualTo(Long.MAX_VALUE);
        f.ramp.setOpenFraction(1.0, "alice");
        assertThat(f.ramp.status(f.clock.nanoTime()))
                .isEqualTo(new RampStatus("everyone", false, RampState.PAUSED, 1.0, 1.0, Long.MAX_VALUE));
    }
}
