package dev.readmit.admission.ramp;

import static dev.readmit.admission.health.GateColour.GREEN;
import static dev.readmit.admission.health.GateColour.RED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class CohortPlanTest {

    private final ManualClock clock = new ManualClock();
    private final RampShape doubling = new RampShape.Doubling(0.25, Duration.ofSeconds(10));

    private CohortPlan plan(RampPolicy policy) {
        return CohortPlan.create(
                List.of(
                        ClassPlan.alwaysOpen("restores"),
                        ClassPlan.ramped("paying", doubling, 0.25),
                        ClassPlan.ramped("everyone", new RampShape.Linear(0.0, 1.0, Duration.ofSeconds(20), 2))),
                policy,
                clock);
    }

    @Test
    void keepsTheClassesInOrderAndFindsThemByName() {
        CohortPlan plan = plan(RampPolicy.ofDefaults());

        assertThat(plan.classCount()).isEqualTo(3);
        assertThat(plan.className(0)).isEqualTo("restores");
        assertThat(plan.className(2)).isEqualTo("everyone");
        assertThat(plan.classIndex("paying")).isEqualTo(1);
        assertThat(plan.classIndex("nobody")).isEqualTo(-1);
        assertThat(plan.classIndex(null)).isEqualTo(-1);
        assertThat(plan.ramp(1).name()).isEqualTo("paying");
    }

    @Test
    void tickMovesEveryRampedClass() {
        CohortPlan plan = plan(RampPolicy.ofDefaults());

        plan.tick(clock.advance(Duration.ofSeconds(10)), GREEN);

        assertThat(plan.ramp(1).openFraction()).isEqualTo(0.5);
        assertThat(plan.ramp(2).openFraction()).isEqualTo(0.5);
    }

    @Test
    void anAlwaysOpenClassAdmitsEveryPositionAndCannotBeRamped() {
        CohortPlan plan = plan(RampPolicy.ofDefaults());
        ClassRamp restores = plan.ramp(0);

        plan.tick(clock.advance(Duration.ofMinutes(10)), RED);
        plan.tick(clock.advance(Duration.ofMinutes(10)), RED);

        assertThat(restores.alwaysOpen()).isTrue();
        assertThat(restores.openFraction()).isEqualTo(1.0);
        assertThat(restores.state()).isEqualTo(RampState.OPEN);
        assertThat(restores.isEligible(0.999_999)).isTrue();
        assertThat(restores.nanosUntilOpen(0.99, clock.nanoTime())).isZero();
        assertThatThrownBy(() -> restores.pause("alice"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("class 'restores' is always open");
        assertThatThrownBy(() -> restores.setOpenFraction(0.5, "alice")).isInstanceOf(IllegalStateException.class);
        assertThat(plan.recentEvents(10))
                .allSatisfy(e -> assertThat(e.className()).isNotEqualTo("restores"));
    }

    @Test
    void keepsABoundedHistoryNewestFirst() {
        CohortPlan plan = plan(new RampPolicy(Duration.ofSeconds(5), 3));
        ClassRamp everyone = plan.ramp(2);

        everyone.setOpenFraction(0.1, "a");
        everyone.setOpenFraction(0.2, "b");
        everyone.setOpenFraction(0.3, "c");
        everyone.setOpenFraction(0.4, "d");

        assertThat(plan.recentEvents(10)).extracting(RampEvent::actor).containsExactly("d", "c", "b");
        assertThat(plan.recentEvents(2)).extracting(RampEvent::actor).containsExactly("d", "c");
        assertThat(plan.recentEvents(0)).isEmpty();
    }

    @Test
    void aFailingListenerNeitherBreaksTheRampNorStarvesOtherListeners() {
        CohortPlan plan = plan(RampPolicy.ofDefaults());
        List<RampEvent> seen = new ArrayList<>();
        plan.addListener(event -> {
            throw new IllegalStateException("listener bug");
        });
        plan.addListener(seen::add);

        assertThat(plan.ramp(2).advance("alice")).isTrue();
        plan.tick(clock.advance(Duration.ofSeconds(10)), GREEN);

        assertThat(plan.ramp(2).openFraction()).isEqualTo(1.0);
        assertThat(seen).extracting(RampEvent::cause).containsExactly(Cause.OPERATOR, Cause.TIMER, Cause.TIMER);
        assertThat(plan.listenerFailures()).isEqualTo(3);
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        CohortPlan plan = plan(RampPolicy.ofDefaults());
        List<RampEvent> seen = new ArrayList<>();
        RampListener listener = seen::add;
        plan.addListener(listener);
        plan.ramp(1).pause("alice");

        assertThat(plan.removeListener(listener)).isTrue();
        plan.ramp(1).resume("alice");

        assertThat(seen).hasSize(1);
    }

    @Test
    void rejectsAnEmptyOrDuplicatedPlan() {
        assertThatThrownBy(() -> CohortPlan.create(List.of(), RampPolicy.ofDefaults(), clock))
                .hasMessageContaining("at least one class");
        assertThatThrownBy(() -> CohortPlan.create(
                        List.of(ClassPlan.alwaysOpen("a"), ClassPlan.ramped("a", doubling)),
                        RampPolicy.ofDefaults(),
                        clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classes[1]: class name 'a' is used twice");
        assertThatThrownBy(() -> new ClassPlan("x", null, false, 0)).hasMessageContaining("needs a ramp shape");
        assertThatThrownBy(() -> ClassPlan.ramped("x", doubling, 1.5)).hasMessageContaining("initialFraction");
        assertThatThrownBy(() -> new RampPolicy(Duration.ZERO, 10)).hasMessageContaining("redHoldBeforeStepBack");
    }
}
