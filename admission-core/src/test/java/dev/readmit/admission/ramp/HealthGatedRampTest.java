package dev.readmit.admission.ramp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthSnapshot;
import dev.readmit.admission.health.HealthThresholds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control loop as the gateway wires it: outcomes into the signal, its snapshot into the plan, every 100 ms. */
final class HealthGatedRampTest {

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock();
    // The absolute thresholds alone: 800 ms is amber (over 500 ms), not red as it would be against a
    // baseline learnt from the 20 ms answers (LearnedBaselineTest covers that).
    private final HealthSignal signal = HealthSignal.create(
            HealthThresholds.builder().learnBaselineSamples(0).build(), clock);
    private final CohortPlan plan = CohortPlan.create(
            List.of(ClassPlan.ramped(
                    "everyone",
                    RampShape.Steps.of(
                            0.1,
                            Duration.ofSeconds(10),
                            0.25,
                            Duration.ofSeconds(10),
                            0.5,
                            Duration.ofSeconds(10),
                            1.0,
                            Duration.ZERO),
                    0.1)),
            RampPolicy.ofDefaults(),
            clock);
    private final ClassRamp ramp = plan.ramp(0);
    private final List<GateColour> colourAtTimerEvents = new ArrayList<>();
    private final List<RampEvent> events = new ArrayList<>();

    HealthGatedRampTest() {
        plan.addListener(events::add);
        plan.addListener(event -> {
            if (event.cause() == Cause.TIMER) {
                colourAtTimerEvents.add(signal.colour());
            }
        });
    }

    /** {@code seconds} of 100 ms ticks, each with 20 upstream answers of {@code latencyMillis}. */
    private void run(int seconds, long latencyMillis, boolean errors) {
        for (int tick = 0; tick < seconds * 10; tick++) {
            for (int i = 0; i < 20; i++) {
                if (errors) {
                    signal.recordError(latencyMillis * MS);
                } else {
                    signal.recordSuccess(latencyMillis * MS);
                }
            }
            long now = clock.advanceNanos(100 * MS);
            HealthSnapshot snapshot = signal.evaluate(now);
            plan.tick(now, snapshot);
        }
    }

    @Test
    void advancesWhileHealthyHoldsWhenSlowStepsBackWhenFailingAndRecovers() {
        run(15, 20, false);
        assertThat(ramp.openFraction()).isEqualTo(0.25);

        run(3, 800, false);
        assertThat(ramp.state()).isEqualTo(RampState.HOLDING);
        assertThat(ramp.openFraction()).isEqualTo(0.25);
        assertThat(events.get(events.size() - 1).detail()).contains("amberP99");

        run(8, 20, true);
        assertThat(ramp.state()).isEqualTo(RampState.ROLLING_BACK);
        assertThat(ramp.openFraction()).isEqualTo(0.1);
        assertThat(events.get(events.size() - 1).detail()).contains("redErrorRate");

        run(2, 20, false);
        assertThat(ramp.state()).as("the gate waits out its recovery hold").isEqualTo(RampState.ROLLING_BACK);
        run(1, 20, false);
        assertThat(ramp.state()).isEqualTo(RampState.RAMPING);
        run(60, 20, false);
        assertThat(ramp.state()).isEqualTo(RampState.OPEN);

        assertThat(colourAtTimerEvents).isNotEmpty().containsOnly(GateColour.GREEN);
        assertThat(events).extracting(RampEvent::cause).contains(Cause.TIMER, Cause.HEALTH);
    }
}
