package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class ConcurrencyLimiterTest {

    @Test
    void refusesWhenTheLimitIsInFlight() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(2));

        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.inFlight()).isEqualTo(2);

        limiter.release(1_000, false);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.acquiredCount()).isEqualTo(3);
        assertThat(limiter.rejectedCount()).isEqualTo(1);
    }

    @Test
    void feedsEachReleaseToTheLimit() {
        AimdLimit aimd = AimdLimit.create(
                AimdLimit.Config.builder().initialLimit(8).minLimit(1).build());
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(aimd);

        assertThat(limiter.tryAcquire()).isTrue();
        limiter.release(1_000, true);

        assertThat(limiter.limit()).isEqualTo(4);
    }

    @Test
    void refusesAReleaseWithoutAnAcquire() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(2));

        assertThatThrownBy(() -> limiter.release(1_000, false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(limiter::releaseWithoutSample).isInstanceOf(IllegalStateException.class);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void neverExceedsTheLimitUnderContention() throws Exception {
        int limit = 2;
        int threads = 4;
        int attemptsPerThread = 50_000;
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(limit));
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int i = 0; i < attemptsPerThread; i++) {
                        if (limiter.tryAcquire()) {
                            admitted++;
                            int now = Math.max(holders.incrementAndGet(), limiter.inFlight());
                            maxHolders.accumulateAndGet(now, Math::max);
                            for (int spin = 0; spin < 20; spin++) {
                                Thread.onSpinWait();
                            }
                            holders.decrementAndGet();
                            limiter.release(1_000, false);
                        }
                    }
                    return admitted;
                }));
            }
            start.countDown();
            long admitted = 0;
            for (Future<Integer> result : results) {
                admitted += result.get(60, TimeUnit.SECONDS);
            }

            assertThat(maxHolders.get()).isBetween(1, limit);
            assertThat(limiter.inFlight()).isZero();
            assertThat(limiter.acquiredCount()).isEqualTo(admitted);
            assertThat(limiter.acquiredCount() + limiter.rejectedCount()).isEqualTo((long) threads * attemptsPerThread);
        } finally {
            pool.shutdownNow();
        }
    }
}
