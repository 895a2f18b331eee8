package dev.readmit.admission.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/** Real threads on one bucket, a fixed number of attempts each: the bound must hold whatever the order. */
final class TokenBucketContentionTest {

    private static final int THREADS = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs {@code task} on {@link #THREADS} threads released together; returns the sum of their results. */
    private long onAllThreads(LongSupplier task) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            results.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return task.getAsLong();
            }));
        }
        ready.await();
        go.countDown();
        long sum = 0;
        for (Future<Long> result : results) {
            sum += result.get(60, TimeUnit.SECONDS);
        }
        return sum;
    }

    @RepeatedTest(5)
    void neverAdmitsMoreThanTheBurstWhileTheClockStandsStill() throws Exception {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1, 1000, clock);

        long admitted = onAllThreads(() -> {
            long mine = 0;
            for (int i = 0; i < 5_000; i++) {
                if (bucket.tryAcquire()) {
                    mine++;
                }
            }
            return mine;
        });

        assertThat(admitted).isLessThanOrEqualTo(1000).isGreaterThanOrEqualTo(1000 - 2 * bucket.cellCount());
    }

    @RepeatedTest(5)
    void neverAdmitsMoreThanRateTimesTimePlusBurstWhileEveryThreadMovesTheClock() throws Exception {
        ManualClock clock = new ManualClock();
        // One permit per 10 µs; every attempt moves the clock by 1 µs, so attempts outnumber permits.
        TokenBucket bucket = TokenBucket.create(100_000, 100, clock);
        int attempts = 20_000;

        long admitted = onAllThreads(() -> {
            long mine = 0;
            for (int i = 0; i < attempts; i++) {
                if (bucket.tryAcquireAt(clock.advanceNanos(1_000))) {
                    mine++;
                }
            }
            return mine;
        });

        long elapsedMicros = (long) THREADS * attempts;
        long allowed = elapsedMicros / 10 + 100;
        assertThat(clock.nanoTime()).isEqualTo(elapsedMicros * 1_000);
        // The upper bound is the contract. The lower bound only proves the bucket keeps admitting under
        // contention: with four threads on two cores, a descheduled thread's cell fills to its share of
        // the burst and its further permits are lost, so how many are lost depends on the scheduler.
        assertThat(admitted).isLessThanOrEqualTo(allowed).isGreaterThan(allowed / 2);
    }

    @RepeatedTest(10)
    void rateChangesRacingWithAcquirersNeitherCreateNorLosePermits() throws Exception {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1000, 500, clock);
        AtomicBoolean acquiring = new AtomicBoolean(true);
        Future<Integer> changer = pool.submit(() -> {
            int changes = 0;
            while (acquiring.get() || changes < 200) {
                bucket.setRate(changes % 2 == 0 ? 2000 : 1000, 500);
                changes++;
            }
            return changes;
        });

        long admitted;
        try {
            admitted = onAllThreads(() -> {
                long mine = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (bucket.tryAcquire()) {
                        mine++;
                    }
                }
                return mine;
            });
        } finally {
            acquiring.set(false);
        }
        assertThat(changer.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(200);
        long leftOver = 0;
        while (bucket.tryAcquire()) {
            leftOver++;
        }

        // The clock never moved: taken plus left over can be at most the burst, and only fragments of a
        // permit per cell may be lost to striping.
        assertThat(admitted + leftOver).isLessThanOrEqualTo(500).isGreaterThanOrEqualTo(500 - 2L * bucket.cellCount());
    }
}
