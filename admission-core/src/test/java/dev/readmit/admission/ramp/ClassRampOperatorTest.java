package dev.readmit.admission.ramp;

import static dev.readmit.admission.health.GateColour.AMBER;
import static dev.readmit.admission.health.GateColour.GREEN;
import static dev.readmit.admission.health.GateColour.RED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

final class ClassRampOperatorTest {

    /** Every shape in every state. */
    static Stream<Arguments> shapesAndStates() {
        List<Arguments> all = new ArrayList<>();
        for (RampShape shape : RampFixture.shapes()) {
            for (RampState state : RampState.values()) {
                all.add(Arguments.of(shape, state));
            }
        }
        return all.stream();
    }

    /** A fixture whose ramp is in {@code state}, at step 1 (or fully open for OPEN), events cleared. */
    private static RampFixture in(RampShape shape, RampState state) {
        RampFixture f;
        switch (state) {
            case RAMPING -> {
                f = new RampFixture(shape, shape.ladder().get(1).fraction());
                f.tickOnce(GREEN);
            }
            case HOLDING -> {
                f = new RampFixture(shape, shape.ladder().get(1).fraction());
                f.tickOnce(AMBER);
            }
            case PAUSED -> {
                f = new RampFixture(shape, shape.ladder().get(1).fraction());
                f.ramp.pause("setup");
            }
            case ROLLING_BACK -> {
                f = new RampFixture(shape, shape.ladder().get(2).fraction());
                f.tickFor(RED, RampFixture.RED_HOLD.plus(RampFixture.TICK));
            }
            case OPEN -> f = new RampFixture(shape, 1.0);
            default -> throw new AssertionError(state);
        }
        assertThat(f.ramp.state()).isEqualTo(state);
        f.events.clear();
        return f;
    }

    private static void assertOneOperatorEvent(RampFixture f, String actor, RampState from, double fromFraction) {
        assertThat(f.events).singleElement().satisfies(e -> {
            assertThat(e.cause()).isEqualTo(Cause.OPERATOR);
            assertThat(e.actor()).isEqualTo(actor);
            assertThat(e.className()).isEqualTo("everyone");
            assertThat(e.fromState()).isEqualTo(from);
            assertThat(e.toState()).isEqualTo(f.ramp.state());
            assertThat(e.fromFraction()).isEqualTo(fromFraction);
            assertThat(e.toFraction()).isEqualTo(f.ramp.openFraction());
            assertThat(e.atNanos()).isEqualTo(f.clock.nanoTime());
        });
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void pauseAndResumeWorkInEveryStateAndUndoEachOther(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);
        double fraction = f.ramp.openFraction();

        boolean paused = f.ramp.pause("alice");

        assertThat(f.ramp.state()).isEqualTo(RampState.PAUSED);
        assertThat(f.ramp.openFraction()).isEqualTo(fraction);
        if (state == RampState.PAUSED) {
            assertThat(paused).isFalse();
            assertThat(f.events).isEmpty();
        } else {
            assertThat(paused).isTrue();
            assertOneOperatorEvent(f, "alice", state, fraction);
        }
        f.events.clear();

        assertThat(f.ramp.resume("bob")).isTrue();
        assertOneOperatorEvent(f, "bob", RampState.PAUSED, fraction);
        assertThat(f.ramp.state()).isEqualTo(fraction >= 1.0 ? RampState.OPEN : RampState.RAMPING);
        assertThat(f.ramp.openFraction()).isEqualTo(fraction);
        assertThat(f.ramp.resume("bob")).as("resume when not paused is a no-op").isFalse();
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void advanceMovesUpOneStepInEveryStateAndRollbackUndoesIt(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);
        double fraction = f.ramp.openFraction();

        boolean advanced = f.ramp.advance("alice");

        if (state == RampState.OPEN) {
            assertThat(advanced).as("nothing above fully open").isFalse();
            assertThat(f.events).isEmpty();
            return;
        }
        assertThat(advanced).isTrue();
        int index = f.ladder.stream().map(RampShape.Step::fraction).toList().indexOf(fraction);
        assertThat(f.ramp.openFraction()).isEqualTo(f.step(index + 1));
        assertOneOperatorEvent(f, "alice", state, fraction);
        RampState expected = state == RampState.PAUSED ? RampState.PAUSED : state;
        assertThat(f.ramp.state()).isEqualTo(expected);
        f.events.clear();

        assertThat(f.ramp.rollback("bob")).isTrue();
        assertThat(f.ramp.openFraction()).isEqualTo(fraction);
        assertThat(f.ramp.state()).isEqualTo(state);
        assertOneOperatorEvent(f, "bob", expected, f.step(index + 1));
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void rollbackMovesDownOneStepInEveryStateAndAdvanceUndoesIt(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);
        double fraction = f.ramp.openFraction();
        int index = f.ladder.stream().map(RampShape.Step::fraction).toList().indexOf(fraction);

        assertThat(f.ramp.rollback("alice")).isTrue();

        assertThat(f.ramp.openFraction()).isEqualTo(f.step(index - 1));
        assertOneOperatorEvent(f, "alice", state, fraction);
        RampState expected = state == RampState.OPEN ? RampState.RAMPING : state;
        assertThat(f.ramp.state()).isEqualTo(expected);
        f.events.clear();

        assertThat(f.ramp.advance("bob")).isTrue();
        assertThat(f.ramp.openFraction()).isEqualTo(fraction);
        assertThat(f.ramp.state()).isEqualTo(state);
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void setOpenFractionWorksInEveryStateAndSettingBackUndoesIt(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);
        double fraction = f.ramp.openFraction();

        assertThat(f.ramp.setOpenFraction(0.42, "alice")).isTrue();

        assertThat(f.ramp.openFraction()).isEqualTo(0.42);
        assertThat(f.ramp.isEligible(0.41)).isTrue();
        assertThat(f.ramp.isEligible(0.42)).isFalse();
        assertOneOperatorEvent(f, "alice", state, fraction);
        assertThat(f.events.get(0).detail()).contains("42.0%");
        f.events.clear();

        assertThat(f.ramp.setOpenFraction(fraction, "bob")).isTrue();
        assertThat(f.ramp.openFraction()).isEqualTo(fraction);
        assertThat(f.ramp.state()).isEqualTo(state);
        assertThat(f.ramp.setOpenFraction(fraction, "bob"))
                .as("no change, no event")
                .isFalse();
        assertThat(f.events).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void theRampContinuesFromASetFractionToTheNextStepAboveIt(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);
        if (state == RampState.PAUSED) {
            f.ramp.resume("alice");
        }
        double between = (f.step(1) + f.step(2)) / 2;
        f.ramp.setOpenFraction(between, "alice");
        f.tickOnce(GREEN);
        f.tickFor(GREEN, f.hold(1));

        assertThat(f.ramp.openFraction()).isEqualTo(f.step(2));
    }

    @ParameterizedTest
    @EnumSource(RampState.class)
    void openFractionNeverLeavesZeroToOne(RampState state) {
        for (RampShape shape : RampFixture.shapes()) {
            RampFixture f = in(shape, state);
            double fraction = f.ramp.openFraction();

            assertThatThrownBy(() -> f.ramp.setOpenFraction(1.01, "alice"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("open fraction must be in [0, 1], got 1.01");
            assertThatThrownBy(() -> f.ramp.setOpenFraction(-0.01, "alice"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.ramp.setOpenFraction(Double.NaN, "alice"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(f.ramp.openFraction()).isEqualTo(fraction);

            for (int i = 0; i < 20; i++) {
                f.ramp.advance("alice");
            }
            assertThat(f.ramp.openFraction()).isEqualTo(1.0);
            assertThat(f.ramp.advance("alice")).isFalse();
            for (int i = 0; i < 20; i++) {
                f.ramp.rollback("alice");
            }
            assertThat(f.ramp.openFraction()).isEqualTo(0.0);
            assertThat(f.ramp.rollback("alice")).isFalse();
            assertThat(f.events).allSatisfy(e -> {
                assertThat(e.fromFraction()).isBetween(0.0, 1.0);
                assertThat(e.toFraction()).isBetween(0.0, 1.0);
            });
        }
    }

    @ParameterizedTest
    @MethodSource("shapesAndStates")
    void operatorActionsNeedANamedActor(RampShape shape, RampState state) {
        RampFixture f = in(shape, state);

        assertThatThrownBy(() -> f.ramp.advance(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("actor must name who acted");
        assertThatThrownBy(() -> f.ramp.pause(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(f.events).isEmpty();
    }
}
