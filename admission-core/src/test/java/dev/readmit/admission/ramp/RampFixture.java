package dev.readmit.admission.ramp;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.GateColour;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A one-class plan on a manual clock with a recording listener, ticked every 100 ms like the gateway. */
final class RampFixture {

    static final Duration TICK = Duration.ofMillis(100);
    static final Duration RED_HOLD = Duration.ofSeconds(5);

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final List<RampEvent> events = new ArrayList<>();
    final CohortPlan plan;
    final ClassRamp ramp;
    final List<RampShape.Step> ladder;

    RampFixture(RampShape shape, double initialFraction) {
        plan = CohortPlan.create(
                List.of(ClassPlan.ramped("everyone", shape, initialFraction)), RampPolicy.withRedHold(RED_HOLD), clock);
        plan.addListener(events::add);
        ramp = plan.ramp(0);
        ladder = shape.ladder();
    }

    static List<RampShape> shapes() {
        return List.of(
                RampShape.Steps.of(
                        0.05,
                        Duration.ofSeconds(5),
                        0.1,
                        Duration.ofSeconds(10),
                        0.3,
                        Duration.ofSeconds(20),
                        1.0,
                        Duration.ZERO),
                new RampShape.Linear(0.0, 1.0, Duration.ofSeconds(100), 10),
                new RampShape.Doubling(0.125, Duration.ofSeconds(10)));
    }

    double step(int index) {
        return ladder.get(index).fraction();
    }

    Duration hold(int index) {
        return ladder.get(index).hold();
    }

    /** Ticks every 100 ms with {@code colour} for {@code duration} (a whole number of ticks). */
    void tickFor(GateColour colour, Duration duration) {
        long ticks = duration.toNanos() / TICK.toNanos();
        for (long i = 0; i < ticks; i++) {
            tickOnce(colour);
        }
    }

    void tickOnce(GateColour colour) {
        plan.tick(clock.advance(TICK), colour);
    }

    RampEvent lastEvent() {
        return events.get(events.size() - 1);
    }
}
