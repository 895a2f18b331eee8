package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class CapacityModelTest {

    private record Answer(int request, SimOutcome outcome, long atMillis, long queueMillis, long serviceMillis) {}

    private final ManualSimTimer timer = new ManualSimTimer();
    private final List<Answer> answers = new ArrayList<>();

    @AfterEach
    void stopTimer() {
        timer.close();
    }

    private CapacityModel model(SimConfig.Builder builder) {
        return new CapacityModel(builder.build(), timer);
    }

    private static SimConfig.Builder constant(int workers, long serviceMillis) {
        return SimConfig.builder()
                .workers(workers)
                .serviceTime(ServiceTimeDistribution.constant(Duration.ofMillis(serviceMillis)));
    }

    /** Schedules request {@code index} to arrive at {@code atMillis} of virtual time; answers are recorded. */
    private void arriveAt(CapacityModel model, int index, long atMillis) {
        timer.await(() -> timer.schedule(
                () -> model.arrive((outcome, queueNanos, serviceNanos) -> answers.add(new Answer(
                        index,
                        outcome,
                        TimeUnit.NANOSECONDS.toMillis(timer.nanoTime()),
                        TimeUnit.NANOSECONDS.toMillis(queueNanos),
                        TimeUnit.NANOSECONDS.toMillis(serviceNanos)))),
                TimeUnit.MILLISECONDS.toNanos(atMillis) - timer.nanoTime()));
    }

    private List<Answer> answers() {
        List<Answer> copy = new ArrayList<>();
        timer.await(() -> copy.addAll(answers));
        return copy;
    }

    @Test
    void neverServesMoreRequestsAtOnceThanItHasWorkersAndServesInArrivalOrder() {
        CapacityModel model = model(constant(3, 100));
        for (int i = 0; i < 10; i++) {
            arriveAt(model, i, 0);
        }
        timer.advance(Duration.ZERO);
        SimStats atStart = model.stats(0);
        assertThat(atStart.inFlight()).isEqualTo(3);
        assertThat(atStart.queueLength()).isEqualTo(7);
        assertThat(atStart.open()).isEqualTo(10);

        timer.advance(Duration.ofMillis(400));

        SimStats end = model.stats(0);
        assertThat(end.served()).isEqualTo(10);
        assertThat(end.maxInFlight()).isEqualTo(3);
        assertThat(end.maxQueueLength()).isEqualTo(7);
        assertThat(end.inFlight()).isZero();
        assertThat(end.open()).isZero();
        assertThat(answers()).extracting(Answer::request).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // Three at a time, every 100 ms: the fourth batch (one request) ends at 400 ms.
        assertThat(answers())
                .extracting(Answer::atMillis)
                .containsExactly(100L, 100L, 100L, 200L, 200L, 200L, 300L, 300L, 300L, 400L);
    }

    @Test
    void latencyClimbsWithTheQueueUnderOverload() {
        // Capacity 20/s (2 workers, 100 ms); arrivals at 40/s for one second.
        CapacityModel model = model(constant(2, 100).timeout(Duration.ofSeconds(60)));
        for (int i = 0; i < 40; i++) {
            arriveAt(model, i, i * 25L);
        }
        timer.advance(Duration.ofSeconds(10));

        List<Answer> all = answers();
        assertThat(all).hasSize(40).allMatch(a -> a.outcome() == SimOutcome.SERVED);
        List<Long> queueWaits = all.stream()
                .sorted(java.util.Comparator.comparingInt(Answer::request))
                .map(Answer::queueMillis)
                .toList();
        assertThat(queueWaits.subList(0, 2)).containsOnly(0L);
        // Each worker takes one request per 100 ms while two arrive per 50 ms: every request waits 50 ms
        // longer than the one two places before it.
        for (int i = 2; i + 2 < 40; i++) {
            assertThat(queueWaits.get(i + 2) - queueWaits.get(i)).isEqualTo(50L);
        }
        assertThat(queueWaits.get(39)).isEqualTo(950L);
        assertThat(model.stats(0).maxQueueLength()).isGreaterThan(15);
    }

    @Test
    void rejectsAtOnceWhenTheQueueIsFull() {
        CapacityModel model = model(constant(1, 100).queueLimit(2));
        for (int i = 0; i < 5; i++) {
            arriveAt(model, i, 0);
        }
        timer.advance(Duration.ZERO);

        assertThat(answers())
                .extracting(Answer::request, Answer::outcome, Answer::atMillis)
                .containsExactly(tuple(3, SimOutcome.QUEUE_FULL, 0L), tuple(4, SimOutcome.QUEUE_FULL, 0L));
        timer.advance(Duration.ofMillis(300));
        SimStats stats = model.stats(0);
        assertThat(stats.served()).isEqualTo(3);
        assertThat(stats.rejected()).isEqualTo(2);
        assertThat(stats.maxQueueLength()).isEqualTo(2);
    }

    @Test
    void answers504WhenServiceWouldOutlastTheDeadlineAnd503WhenStillQueuedAtIt() {
        CapacityModel model = model(constant(1, 300).timeout(Duration.ofMillis(500)));
        arriveAt(model, 0, 0);
        arriveAt(model, 1, 0);
        arriveAt(model, 2, 0);

        timer.advance(Duration.ofMillis(499));
        assertThat(answers()).extracting(Answer::outcome).containsExactly(SimOutcome.SERVED);
        timer.advance(Duration.ofMillis(1));
        // Request 1 started at 300 and would end at 600; request 2 never got the worker.
        assertThat(answers())
                .extracting(Answer::request, Answer::outcome, Answer::atMillis)
                .containsExactlyInAnyOrder(
                        tuple(0, SimOutcome.SERVED, 300L),
                        tuple(1, SimOutcome.SERVICE_TIMEOUT, 500L),
                        tuple(2, SimOutcome.QUEUE_TIMEOUT, 500L));
        // The worker keeps working on request 1 until 600, as a real server does.
        assertThat(model.stats(0).inFlight()).isEqualTo(1);
        timer.advance(Duration.ofMillis(100));
        SimStats stats = model.stats(0);
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.served()).isEqualTo(1);
        assertThat(stats.serviceTimeouts()).isEqualTo(1);
        assertThat(stats.queueTimeouts()).isEqualTo(1);
        assertThat(stats.timedOut()).isEqualTo(2);
        assertThat(stats.open()).isZero();
    }

    @Test
    void collapseServesFewerRequestsUnderOverloadThanTheSameServiceWithout() {
        long withoutCollapse = servedInTenSecondsAtTwiceCapacity(0);
        long withCollapse = servedInTenSecondsAtTwiceCapacity(0.5);

        // No collapse: the 4 workers stay busy from their first arrival on and serve at capacity, 40/s.
        assertThat(withoutCollapse).isEqualTo(400);
        // Collapse: the queue (up to 40) stretches each service by up to 1 + 0.5 * 40 / 4 = 6 times.
        assertThat(withCollapse).isLessThan(withoutCollapse / 2);
    }

    private long servedInTenSecondsAtTwiceCapacity(double collapseFactor) {
        CapacityModel model = model(
                constant(4, 100).queueLimit(40).timeout(Duration.ofSeconds(60)).collapseFactor(collapseFactor));
        for (int i = 0; i < 800; i++) {
            arriveAt(model, i, i * 12L + 1);
        }
        timer.advance(Duration.ofMillis(10_040));
        return model.stats(0).served();
    }

    @Test
    void peaksCanBeResetToTheCurrentValues() {
        CapacityModel model = model(constant(2, 100));
        for (int i = 0; i < 4; i++) {
            arriveAt(model, i, 0);
        }
        timer.advance(Duration.ofMillis(150));
        timer.await(model::resetPeaks);

        SimStats stats = model.stats(0);
        assertThat(stats.maxInFlight()).isEqualTo(2);
        assertThat(stats.maxQueueLength()).isZero();
        assertThat(stats.maxOpen()).isEqualTo(2);
    }
}
