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
}
