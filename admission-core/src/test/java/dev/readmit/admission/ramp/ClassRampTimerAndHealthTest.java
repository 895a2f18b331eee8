package dev.readmit.admission.ramp;

import static dev.readmit.admission.health.GateColour.AMBER;
import static dev.readmit.admission.health.GateColour.GREEN;
import static dev.readmit.admission.health.GateColour.RED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class ClassRampTimerAndHealthTest {

    static List<RampShape> shapes() {
        return RampFixture.shapes();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void advancesOneStepPerHoldWhileGreenUntilOpen(RampShape shape) {
        RampFixture f = new RampFixture(shape, shape.ladder().get(0).fraction());

        for (int i = 0; i < f.ladder.size() - 1; i++) {
            f.tickFor(GREEN, f.hold(i).minus(RampFixture.TICK));
            assertThat(f.ramp.openFraction())
                    .as("one tick before the hold of step %d ends", i)
                    .isEqualTo(f.step(i));
            f.tickOnce(GREEN);
            assertThat(f.ramp.openFraction()).isEqualTo(f.step(i + 1));
            RampEvent event = f.lastEvent();
            assertThat(event.cause()).isEqualTo(Cause.TIMER);
            assertThat(event.actor()).isEqualTo(RampEvent.SYSTEM_ACTOR);
            assertThat(event.fromFraction()).isEqualTo(f.step(i));
            assertThat(event.toFraction()).isEqualTo(f.step(i + 1));
            assertThat(event.atNanos()).isEqualTo(f.clock.nanoTime());
        }
        assertThat(f.ramp.state()).isEqualTo(RampState.OPEN);
        assertThat(f.ramp.openFraction()).isEqualTo(1.0);
        assertThat(f.lastEvent().toState()).isEqualTo(RampState.OPEN);

        int eventsWhenOpen = f.events.size();
        f.tickFor(GREEN, Duration.ofMinutes(5));
        assertThat(f.events).hasSize(eventsWhenOpen);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void neverAdvancesWhileAmberAndCountsOnlyGreenTimeTowardAHold(RampShape shape) {
        RampFixture f = new RampFixture(shape, shape.ladder().get(0).fraction());
        double start = f.ramp.openFraction();
        Duration half = f.hold(0).dividedBy(2);
        f.tickFor(GREEN, half);
        f.events.clear();

        f.tickFor(AMBER, Duration.ofMinutes(10));

        assertThat(f.ramp.openFraction()).isEqualTo(start);
        assertThat(f.ramp.state()).isEqualTo(RampState.HOLDING);
        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.cause()).isEqualTo(Cause.HEALTH);
            assertThat(e.fromState()).isEqualTo(RampState.RAMPING);
            assertThat(e.toState()).isEqualTo(RampState.HOLDING);
            assertThat(e.detail()).contains("amber");
        });

        f.tickOnce(GREEN);
        assertThat(f.ramp.state()).isEqualTo(RampState.RAMPING);
        assertThat(f.lastEvent().cause()).isEqualTo(Cause.HEALTH);
        f.tickFor(GREEN, half.minus(RampFixture.TICK));
        assertThat(f.ramp.openFraction())
                .as("the amber ten minutes did not count")
                .isEqualTo(start);
        f.tickOnce(GREEN);
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(1));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void neverAdvancesWhileRedAndStepsBackAfterTheRedHold(RampShape shape) {
        RampFixture f = new RampFixture(shape, 0.0);
        f.ramp.setOpenFraction(f.step(2), "setup");
        f.tickFor(GREEN, f.hold(2).minus(RampFixture.TICK));
        f.events.clear();

        f.tickFor(RED, RampFixture.RED_HOLD);
        assertThat(f.ramp.openFraction())
                .as("red for one tick less than the hold")
                .isEqualTo(f.step(2));
        assertThat(f.ramp.state()).isEqualTo(RampState.HOLDING);

        f.tickOnce(RED);
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(1));
        assertThat(f.ramp.state()).isEqualTo(RampState.ROLLING_BACK);
        RampEvent stepBack = f.lastEvent();
        assertThat(stepBack.cause()).isEqualTo(Cause.HEALTH);
        assertThat(stepBack.fromFraction()).isEqualTo(f.step(2));
        assertThat(stepBack.toFraction()).isEqualTo(f.step(1));
        assertThat(stepBack.detail()).contains("red");

        f.tickFor(RED, RampFixture.RED_HOLD);
        assertThat(f.ramp.openFraction())
                .as("another stretch of red, another step")
                .isEqualTo(f.step(0));
        f.tickFor(AMBER, Duration.ofMinutes(1));
        assertThat(f.ramp.state()).as("amber holds a rolled-back ramp").isEqualTo(RampState.ROLLING_BACK);
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(0));

        f.tickOnce(GREEN);
        assertThat(f.ramp.state()).isEqualTo(RampState.RAMPING);
        f.tickFor(GREEN, f.hold(0));
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(1));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void redInterruptedByAmberDoesNotStepBack(RampShape shape) {
        RampFixture f = new RampFixture(shape, 0.0);
        f.ramp.setOpenFraction(f.step(1), "setup");

        f.tickFor(RED, RampFixture.RED_HOLD.minus(RampFixture.TICK));
        f.tickOnce(AMBER);
        f.tickFor(RED, RampFixture.RED_HOLD.minus(RampFixture.TICK));

        assertThat(f.ramp.openFraction()).isEqualTo(f.step(1));
        assertThat(f.ramp.state()).isEqualTo(RampState.HOLDING);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void anOpenRampIgnoresAmberButStepsBackAfterRed(RampShape shape) {
        RampFixture f = new RampFixture(shape, 1.0);
        assertThat(f.ramp.state()).isEqualTo(RampState.OPEN);

        f.tickFor(AMBER, Duration.ofMinutes(1));
        assertThat(f.ramp.state()).isEqualTo(RampState.OPEN);
        assertThat(f.events).isEmpty();

        f.tickFor(RED, RampFixture.RED_HOLD.plus(RampFixture.TICK));
        assertThat(f.ramp.state()).isEqualTo(RampState.ROLLING_BACK);
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(f.ladder.size() - 2));

        f.tickOnce(GREEN);
        f.tickFor(GREEN, f.hold(f.ladder.size() - 2));
        assertThat(f.ramp.state()).isEqualTo(RampState.OPEN);
        assertThat(f.ramp.openFraction()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void aPausedRampNeverAdvancesButRedStillStepsItBack(RampShape shape) {
        RampFixture f = new RampFixture(shape, 0.0);
        f.ramp.setOpenFraction(f.step(2), "setup");
        f.ramp.pause("alice");

        f.tickFor(GREEN, Duration.ofMinutes(30));
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(2));
        f.tickFor(AMBER, Duration.ofMinutes(1));
        assertThat(f.ramp.state()).isEqualTo(RampState.PAUSED);

        f.tickFor(RED, RampFixture.RED_HOLD.plus(RampFixture.TICK));
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(1));
        assertThat(f.ramp.state()).isEqualTo(RampState.PAUSED);
        assertThat(f.lastEvent().cause()).isEqualTo(Cause.HEALTH);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void stepsBackToClosedAndNoFurther(RampShape shape) {
        RampFixture f = new RampFixture(shape, 0.0);
        f.ramp.setOpenFraction(f.step(1), "setup");

        f.tickFor(RED, Duration.ofMinutes(5));

        assertThat(f.ramp.openFraction()).isEqualTo(0.0);
        assertThat(f.ramp.isEligible(0.0)).isFalse();
        assertThat(f.events).allSatisfy(e -> assertThat(e.toFraction()).isBetween(0.0, 1.0));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void healthEventsQuoteTheSnapshotReason(RampShape shape) {
        RampFixture f = new RampFixture(shape, 0.5);
        dev.readmit.admission.health.HealthSnapshot amber = new dev.readmit.admission.health.HealthSnapshot(
                0, 0, 100, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, AMBER, "p99 612.0 ms > amberP99 500.0 ms");

        f.plan.tick(f.clock.advance(RampFixture.TICK), amber);

        assertThat(f.lastEvent().detail()).contains("p99 612.0 ms > amberP99 500.0 ms");
    }
}
