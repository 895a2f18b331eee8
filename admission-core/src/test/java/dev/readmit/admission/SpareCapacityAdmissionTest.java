package dev.readmit.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.admission.ramp.ClassPlan;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampPolicy;
import dev.readmit.admission.ramp.RampShape;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * New clients are admitted by the upstream's spare capacity (issue 6): the configured rate is a
 * ceiling that applies while the concurrency limit is mostly free, and it tapers to nothing as the
 * requests in flight reach the limit.
 */
final class SpareCapacityAdmissionTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(20));

    private AdmissionController controller(Double fullRateBelow) {
        CohortPlan plan = CohortPlan.create(
                List.of(
                        ClassPlan.alwaysOpen("restores"),
                        ClassPlan.ramped(
                                "everyone", RampShape.Steps.of(0.5, Duration.ofMinutes(1), 1.0, Duration.ZERO), 1.0)),
                RampPolicy.ofDefaults(),
                clock);
        AdmissionController.Builder b = AdmissionController.builder(plan, clock)
                .health(HealthSignal.create(HealthThresholds.ofDefaults(), clock, limiter))
                .limiter(limiter)
                .newClientRate(100, 10);
        if (fullRateBelow != null) {
            b.fullRateBelowOccupancy(fullRateBelow);
        }
        return b.build();
    }

    /** Holds {@code n} requests in flight at the upstream. */
    private void inFlight(int n) {
        while (limiter.inFlight() < n) {
            assertThat(limiter.tryAcquire()).isTrue();
        }
        while (limiter.inFlight() > n) {
            limiter.releaseWithoutSample();
        }
    }

    private void ticks(AdmissionController c, int count) {
        for (int i = 0; i < count; i++) {
            c.tick(clock.advanceNanos(100_000_000L));
        }
    }

    /** New clients admitted over one second of asking, 1,000 different clients a second. */
    private int admittedInOneSecond(AdmissionController c, int second) {
        int admitted = 0;
        for (int i = 0; i < 1_000; i++) {
            clock.advanceNanos(1_000_000L);
            if (c.decide("client-" + second + "-" + i, 1, clock.nanoTime()) == Decision.Admit.NEWLY_ADMITTED) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void admitsAtTheFullRateWhileTheUpstreamIsMostlyIdle() {
        AdmissionController c = controller(null);
        inFlight(5);
        ticks(c, 30);

        assertThat(c.headroomFactor()).isEqualTo(1.0);
        assertThat(c.effectiveRate()).isEqualTo(100.0);
        assertThat(admittedInOneSecond(c, 0)).isBetween(100, 110);
    }

    @Test
    void tapersTheRateAsTheInFlightRequestsApproachTheLimit() {
        AdmissionController c = controller(null);
        inFlight(17); // 85 % of the limit: 60 % of the spare room between 75 % and 100 % is left
        ticks(c, 50);

        assertThat(c.headroomFactor()).isBetween(0.55, 0.65);
        assertThat(c.effectiveRate()).isBetween(55.0, 65.0);
        assertThat(admittedInOneSecond(c, 0)).isBetween(55, 75);
    }

    @Test
    void admitsNobodyNewWhileTheLimitStaysFullAndResumesAsItEmpties() {
        AdmissionController c = controller(null);
        inFlight(20);
        ticks(c, 50);
        assertThat(c.effectiveRate()).isZero();
        inFlight(19);
        assertThat(admittedInOneSecond(c, 0))
                .as("a slot is free now and then, but the upstream has been full")
                .isZero();

        inFlight(2);
        ticks(c, 30);
        assertThat(c.effectiveRate()).isEqualTo(100.0);
        assertThat(admittedInOneSecond(c, 1)).isBetween(100, 110);
    }

    @Test
    void withFullRateUpToTheLimitOnlyAFullLimitStopsNewClients() {
        AdmissionController c = controller(1.0);
        inFlight(19);
        ticks(c, 50);

        assertThat(c.effectiveRate()).isEqualTo(100.0);
        assertThat(admittedInOneSecond(c, 0)).isBetween(100, 110);
    }

    @Test
    void refusesAnOccupancyOutsideItsRange() {
        assertThatThrownBy(() -> controller(0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fullRateBelowOccupancy must be in (0, 1]");
    }

    @Test
    void learnsTheKneeWhenTheGateTurnsRedAndTapersBelowItThereafter() {
        HealthSignal health = HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .recoveryHold(Duration.ZERO)
                        .learnBaselineSamples(0)
                        .build(),
                clock);
        ConcurrencyLimiter wide = ConcurrencyLimiter.create(Limit.fixed(100));
        CohortPlan plan = CohortPlan.create(
                List.of(
                        ClassPlan.alwaysOpen("restores"),
                        ClassPlan.ramped(
                                "everyone", RampShape.Steps.of(0.5, Duration.ofMinutes(1), 1.0, Duration.ZERO), 1.0)),
                RampPolicy.ofDefaults(),
                clock);
        AdmissionController c = AdmissionController.builder(plan, clock)
                .health(health)
                .limiter(wide)
                .newClientRate(100, 10)
                .build();
        for (int i = 0; i < 40; i++) {
            assertThat(wide.tryAcquire()).isTrue();
        }
        for (int t = 0; t < 30; t++) {
            c.tick(clock.advanceNanos(100_000_000L));
        }
        assertThat(c.effectiveRate()).as("40 of a limit of 100: room enough").isEqualTo(100.0);
        assertThat(c.kneeInFlight()).isZero();

        // At 40 in flight the upstream gives way: the gate turns red.
        for (int i = 0; i < 20; i++) {
            health.recordSuccess(Duration.ofSeconds(3).toNanos());
        }
        c.tick(clock.advanceNanos(100_000_000L));
        assertThat(c.kneeInFlight()).isCloseTo(40.0, org.assertj.core.api.Assertions.within(0.5));

        // Green again, with 34 in flight: 85 % of the knee, so 60 % of the rate (full below 75 %).
        for (int i = 0; i < 6; i++) {
            wide.releaseWithoutSample();
        }
        for (int t = 0; t < 40; t++) {
            c.tick(clock.advanceNanos(100_000_000L));
        }
        assertThat(health.colour()).isEqualTo(dev.readmit.admission.health.GateColour.GREEN);
        assertThat(c.headroomFactor()).isBetween(0.5, 0.65);
        assertThat(c.kneeInFlight()).as("probing upwards while the taper holds").isGreaterThan(40.0);
    }
}
