package dev.readmit.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.admission.ramp.Cause;
import dev.readmit.admission.ramp.ClassPlan;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampEvent;
import dev.readmit.admission.ramp.RampPolicy;
import dev.readmit.admission.ramp.RampShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ramp's advance on demand (tuned in issue 6): a running ramp steps up when the open cohorts leave
 * the new-client rate unused while closed cohorts ask, and never while the gate is not green, while the
 * upstream's limiter refuses admitted requests, or while the open cohorts use the rate.
 */
final class RampAdvanceOnDemandTest {

    private static final int EVERYONE = 0;
    private static final Duration HOLD = Duration.ofMinutes(10);

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final List<RampEvent> events = new ArrayList<>();
    private final HealthSignal health = HealthSignal.create(HealthThresholds.ofDefaults(), clock);
    private CohortPlan plan;

    /** 10 % for ten minutes, then 50 % for ten minutes, then everyone: a timer far slower than the rate. */
    private AdmissionController controller(ConcurrencyLimiter limiter, boolean onDemand) {
        plan = CohortPlan.create(
                List.of(ClassPlan.ramped(
                        "everyone", RampShape.Steps.of(0.1, HOLD, 0.5, HOLD, 1.0, Duration.ZERO), 0.1)),
                RampPolicy.ofDefaults(),
                clock);
        plan.addListener(events::add);
        AdmissionController.Builder b = AdmissionController.builder(plan, clock)
                .health(health)
                .newClientRate(10, 10)
                .advanceOnDemand(onDemand)
                .retryAfter(RetryAfter.of(Duration.ofSeconds(1), Duration.ofSeconds(3600), 0.0));
        if (limiter != null) {
            b.limiter(limiter);
        }
        return b.build();
    }

    private static String key(AdmissionController c, double from, double to, int skip) {
        int found = 0;
        for (int i = 0; ; i++) {
            String key = "client-" + i;
            double p = c.cohortHash().position(key);
            if (p >= from && p < to && found++ == skip) {
                return key;
            }
        }
    }

    /** Closed-cohort clients ask, then the ticker runs 100 ms ticks for {@code ticks} ticks. */
    private void closedCohortsAskThenTick(AdmissionController c, int ticks) {
        for (int i = 0; i < 5; i++) {
            // A wait while the gate lets anyone new in; a reject while it is red.
            assertThat(c.decide(key(c, 0.6, 1.0, i), EVERYONE, clock.nanoTime()))
                    .isNotInstanceOf(Decision.Admit.class);
        }
        for (int t = 0; t < ticks; t++) {
            clock.advance(Duration.ofMillis(100));
            c.tick(clock.nanoTime());
        }
    }

    @Test
    void stepsUpWhenOpenCohortsLeaveTheRateUnusedWhileClosedCohortsAsk() {
        AdmissionController c = controller(null, true);

        closedCohortsAskThenTick(c, 10);

        assertThat(c.counters().waitsForRamp(EVERYONE)).isEqualTo(5);
        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.5);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).cause()).isEqualTo(Cause.DEMAND);
        assertThat(events.get(0).detail())
                .contains("0 of 10 new-client permits")
                .contains("5 closed-cohort");
    }

    @Test
    void takesOneStepPerSecondAtMost() {
        AdmissionController c = controller(null, true);

        closedCohortsAskThenTick(c, 9);

        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
        closedCohortsAskThenTick(c, 1);
        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.5);
    }

    @Test
    void neverStepsUpWhileTheGateIsRed() {
        AdmissionController c = controller(null, true);
        // Closed cohorts ask while the gate is still green; it turns red within the same second.
        for (int i = 0; i < 5; i++) {
            assertThat(c.decide(key(c, 0.6, 1.0, i), EVERYONE, clock.nanoTime()))
                    .isInstanceOf(Decision.Wait.class);
        }
        for (int second = 0; second < 20; second++) {
            for (int i = 0; i < 50; i++) {
                health.recordError(1_000_000);
            }
            closedCohortsAskThenTick(c, 10);
            assertThat(health.colour()).isEqualTo(GateColour.RED);
            assertThat(plan.ramp(EVERYONE).openFraction()).isLessThanOrEqualTo(0.1);
        }
        assertThat(events).extracting(RampEvent::cause).doesNotContain(Cause.DEMAND, Cause.TIMER);
    }

    @Test
    void neverStepsUpWhileTheGateIsAmber() {
        AdmissionController c = controller(null, true);
        for (int second = 0; second < 20; second++) {
            // 2 % errors: amber (over 1 %), not red (under 5 %).
            for (int i = 0; i < 98; i++) {
                health.recordSuccess(1_000_000);
            }
            health.recordError(1_000_000);
            health.recordError(1_000_000);
            closedCohortsAskThenTick(c, 10);
            assertThat(health.colour()).isEqualTo(GateColour.AMBER);
        }
        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
        assertThat(events).extracting(RampEvent::cause).doesNotContain(Cause.DEMAND);
    }

    @Test
    void holdsWhileTheLimiterRefusesAdmittedRequests() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        AdmissionController c = controller(limiter, true);
        for (int second = 0; second < 5; second++) {
            assertThat(limiter.tryAcquire()).isTrue();
            // The upstream is the bottleneck: an admitted request finds the limit full.
            assertThat(limiter.tryAcquire()).isFalse();
            closedCohortsAskThenTick(c, 10);
            limiter.releaseWithoutSample();
        }

        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
    }

    @Test
    void stepsUpWhenClosedCohortsFoundASlotFreeEvenIfTheLimitWasReachedEarlierInTheSecond() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        AdmissionController c = controller(limiter, true);
        // The upstream near its capacity: an admitted request found the limit reached...
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        limiter.release(1_000_000, false);
        // ...then its session ended and the slot stayed free while closed cohorts asked.
        closedCohortsAskThenTick(c, 10);

        assertThat(c.counters().waitsForRampWithRoom(EVERYONE)).isEqualTo(5);
        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.5);
        assertThat(events.get(0).detail()).contains("5 with an upstream slot free");
    }

    @Test
    void eligibleClientsThatFindTheLimitReachedAreCountedApartFromThoseWaitingForATokenOrTheRamp() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        AdmissionController c = controller(limiter, true);
        assertThat(limiter.tryAcquire()).isTrue();

        assertThat(c.decide(key(c, 0.0, 0.1, 0), EVERYONE, clock.nanoTime())).isInstanceOf(Decision.Wait.class);
        assertThat(c.decide(key(c, 0.6, 1.0, 0), EVERYONE, clock.nanoTime())).isInstanceOf(Decision.Wait.class);

        assertThat(c.counters().waitsForRoom(EVERYONE)).isEqualTo(1);
        assertThat(c.counters().waitsForRamp(EVERYONE)).isEqualTo(1);
        assertThat(c.counters().waitsForRampWithRoom(EVERYONE)).isZero();
        assertThat(c.counters().waits(EVERYONE)).isEqualTo(2);
    }

    @Test
    void holdsWhileOpenCohortsUseTheRate() {
        AdmissionController c = controller(null, true);
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 10; i++) {
                assertThat(c.decide(key(c, 0.0, 0.1, second * 10 + i), EVERYONE, clock.nanoTime()))
                        .isEqualTo(Decision.Admit.NEWLY_ADMITTED);
            }
            closedCohortsAskThenTick(c, 10);
        }

        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
    }

    @Test
    void holdsWithoutClosedCohortsAsking() {
        AdmissionController c = controller(null, true);
        for (int t = 0; t < 50; t++) {
            clock.advance(Duration.ofMillis(100));
            c.tick(clock.nanoTime());
        }

        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
    }

    @Test
    void withoutAdvanceOnDemandOnlyTheTimerMovesTheRamp() {
        AdmissionController c = controller(null, false);

        closedCohortsAskThenTick(c, 50);

        assertThat(plan.ramp(EVERYONE).openFraction()).isEqualTo(0.1);
    }

    @Test
    void closedCohortClientIsToldToComeBackByItsPlaceNotByTheTimer() {
        AdmissionController on = controller(null, true);
        Decision.Wait byPlace = (Decision.Wait) on.decide(key(on, 0.6, 1.0, 0), EVERYONE, clock.nanoTime());
        AdmissionController off = controller(null, false);
        Decision.Wait byTimer = (Decision.Wait) off.decide(key(off, 0.6, 1.0, 0), EVERYONE, clock.nanoTime());

        // The timer opens 50-100 % after twenty minutes; on demand it takes two steps, a second each.
        assertThat(byTimer.retryAfterSeconds()).isGreaterThanOrEqualTo(1200);
        assertThat(byPlace.retryAfterSeconds()).isEqualTo(2);
    }
}
