package dev.readmit.admission.ramp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.GateColour;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

final class CohortPlanConcurrencyTest {

    @Test
    void ticksAndOperatorActionsFromTwoThreadsProduceOneUnbrokenChainOfEvents() throws Exception {
        ManualClock clock = new ManualClock();
        RampShape shape = RampShape.Steps.of(
                0.1,
                Duration.ofMillis(300),
                0.2,
                Duration.ofMillis(300),
                0.5,
                Duration.ofMillis(300),
                1.0,
                Duration.ZERO);
        CohortPlan plan = CohortPlan.create(
                List.of(ClassPlan.ramped("everyone", shape)), new RampPolicy(Duration.ofMillis(500), 100_000), clock);
        ClassRamp ramp = plan.ramp(0);
        List<RampEvent> events = new ArrayList<>();
        plan.addListener(events::add);
        int rounds = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> ticker = pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    int phase = i % 100;
                    GateColour colour = phase < 70 ? GateColour.GREEN : phase < 85 ? GateColour.AMBER : GateColour.RED;
                    plan.tick(clock.advanceNanos(100_000_000L), colour);
                }
                return null;
            });
            Future<?> admin = pool.submit(() -> {
                start.await();
                SplittableRandom random = new SplittableRandom(42);
                for (int i = 0; i < rounds; i++) {
                    switch (random.nextInt(5)) {
                        case 0 -> ramp.pause("admin");
                        case 1 -> ramp.resume("admin");
                        case 2 -> ramp.advance("admin");
                        case 3 -> ramp.rollback("admin");
                        default -> ramp.setOpenFraction(random.nextInt(11) / 10.0, "admin");
                    }
                }
                return null;
            });
            Future<Long> reader = pool.submit(() -> {
                start.await();
                long reads = 0;
                while (!done.get()) {
                    double fraction = ramp.openFraction();
                    if (!(fraction >= 0.0 && fraction <= 1.0)) {
                        throw new AssertionError("open fraction out of range: " + fraction);
                    }
                    reads++;
                }
                return reads;
            });
            start.countDown();
            ticker.get(60, TimeUnit.SECONDS);
            admin.get(60, TimeUnit.SECONDS);
            done.set(true);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
        }

        assertThat(events).hasSizeGreaterThan(rounds / 2);
        assertThat(clock.nanoTime()).isEqualTo(rounds * 100_000_000L);
        for (int i = 1; i < events.size(); i++) {
            RampEvent previous = events.get(i - 1);
            RampEvent event = events.get(i);
            assertThat(event.fromFraction())
                    .as("event %d continues from event %d", i, i - 1)
                    .isEqualTo(previous.toFraction());
            assertThat(event.fromState())
                    .as("event %d continues from event %d", i, i - 1)
                    .isEqualTo(previous.toState());
        }
        RampEvent last = events.get(events.size() - 1);
        assertThat(ramp.openFraction()).isEqualTo(last.toFraction());
        assertThat(ramp.state()).isEqualTo(last.toState());
        assertThat(plan.recentEvents(1)).containsExactly(last);
    }
}
