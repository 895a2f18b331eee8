package dev.readmit.admission.ramp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.GradientLimit;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-request calls allocate nothing: 100,000 rounds of them allocate less than 64 KiB in all
 * (one allocation per call would be at least 1.6 MB), measured by the JVM's per-thread allocation
 * counter.
 */
final class HotPathAllocationTest {

    private static final int ROUNDS = 100_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void admissionAndUpstreamCallsAllocateNothingPerRequest() {
        ManualClock clock = new ManualClock();
        CohortPlan plan = CohortPlan.create(
                List.of(ClassPlan.ramped("everyone", new RampShape.Linear(0.0, 1.0, Duration.ofMinutes(10)), 0.3)),
                RampPolicy.ofDefaults(),
                clock);
        plan.tick(clock.advance(Duration.ofMillis(100)), GateColour.GREEN);
        ClassRamp ramp = plan.ramp(0);
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(GradientLimit.ofDefaults());
        HealthSignal health = HealthSignal.create(HealthThresholds.ofDefaults(), clock, limiter);
        long sink = run(ramp, limiter, health, clock.nanoTime());

        long before = allocatedBytes();
        sink += run(ramp, limiter, health, clock.nanoTime());
        long allocated = allocatedBytes() - before;

        assertThat(sink).isNotZero();
        assertThat(allocated).isLessThan(64 * 1024);
    }

    private static long run(ClassRamp ramp, ConcurrencyLimiter limiter, HealthSignal health, long now) {
        long sink = 0;
        for (int i = 0; i < ROUNDS; i++) {
            double position = (i % 1000) / 1000.0;
            if (ramp.isEligible(position)) {
                sink++;
            }
            sink += (long) (ramp.openFraction() * 10) + ramp.state().ordinal();
            sink += ramp.nanosUntilOpen(position, now) & 1;
            sink += health.colour().ordinal();
            if (limiter.tryAcquire()) {
                limiter.release(1_000_000L + i, i % 100 == 0);
            }
            health.recordSuccess(1_000_000L + i);
        }
        return sink;
    }
}
