package dev.readmit.admission.admitted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several threads add, touch and remove their own clients while one thread runs expiry passes that
 * reclaim the tombstones they leave, all on keys chosen to share a few home slots so that probe
 * chains overlap and reclaims happen in the middle of them. Fixed iteration counts, no sleeps.
 */
final class AdmittedSetConcurrencyTest {

    private static final int WORKERS = 3;
    private static final int KEYS_PER_WORKER = 40;
    private static final int SHARED_KEYS = 24;
    private static final int ROUNDS = 20_000;
    private static final int SLOT_RANGE = 16;

    private final ManualClock clock = new ManualClock();

    @Test
    void losesNoAdmittedClientAndAdmitsNoPhantomUnderConcurrentChurn() throws Exception {
        AdmittedSet set = AdmittedSet.create(512, Duration.ofMinutes(5), clock);
        long now = clock.nanoTime();
        long[] keys = clusteredKeys(set, WORKERS * KEYS_PER_WORKER + SHARED_KEYS + 16);
        long[] shared = slice(keys, WORKERS * KEYS_PER_WORKER, SHARED_KEYS);
        long[] neverAdded = slice(keys, WORKERS * KEYS_PER_WORKER + SHARED_KEYS, 16);

        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean workersDone = new AtomicBoolean();
        AtomicLong expiryPasses = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            long[] own = slice(keys, w * KEYS_PER_WORKER, KEYS_PER_WORKER);
            workers.add(new Thread(() -> churn(set, own, shared, neverAdded, now, start, failures), "worker-" + w));
        }
        Thread expirer = new Thread(
                () -> {
                    await(start);
                    while (!workersDone.get()) {
                        int removed = set.expire(now);
                        if (removed != 0) {
                            failures.add("an expiry pass removed " + removed + " clients that were not idle");
                        }
                        expiryPasses.incrementAndGet();
                    }
                },
                "expirer");
        workers.forEach(Thread::start);
        expirer.start();
        start.countDown();
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(worker.isAlive()).as("%s finished", worker.getName()).isFalse();
        }
        workersDone.set(true);
        expirer.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(failures).isEmpty();
        assertThat(expiryPasses.get()).isPositive();
        assertThat(set.size()).isEqualTo(WORKERS * KEYS_PER_WORKER + SHARED_KEYS);
        for (int i = 0; i < WORKERS * KEYS_PER_WORKER + SHARED_KEYS; i++) {
            assertThat(set.liveCopies(keys[i])).as("copies of key %d", i).isEqualTo(1);
            assertThat(set.touchIfPresent(keys[i], now)).isTrue();
        }
        for (long key : neverAdded) {
            assertThat(set.touchIfPresent(key, now)).isFalse();
        }
    }

    /**
     * A touch and an expiry pass race on clients that are idle for the pass but not for the touch:
     * exactly the clients whose touch answered true must survive the pass, no more, no fewer.
     * Control groups touched before the race (must all survive) and never touched (must all go)
     * check the setup itself.
     */
    @Test
    void aClientIsKeptByExpiryIfAndOnlyIfItsConcurrentTouchSucceeded() throws Exception {
        long second = 1_000_000_000L;
        int racing = 20_000;
        int control = 1_000;
        long mismatches = 0;
        for (int round = 0; round < 25; round++) {
            AdmittedSet set = AdmittedSet.create(racing + 2 * control, Duration.ofSeconds(64), clock);
            long t0 = clock.nanoTime();
            for (int i = 1; i <= racing + 2 * control; i++) {
                set.add(i, t0);
            }
            long touchNow = t0 + 60 * second; // not idle yet for the toucher
            long expiryNow = t0 + 70 * second; // idle since t0 for the pass, not if touched at 60 s
            for (int i = racing + 1; i <= racing + control; i++) {
                assertThat(set.touchIfPresent(i, touchNow)).isTrue();
            }
            boolean[] touched = new boolean[racing + 1];
            CountDownLatch start = new CountDownLatch(1);
            Thread toucher = new Thread(() -> {
                await(start);
                for (int i = 1; i <= racing; i++) {
                    touched[i] = set.touchIfPresent(i, touchNow);
                }
            });
            int[] removed = new int[1];
            Thread expirer = new Thread(() -> {
                await(start);
                removed[0] = set.expire(expiryNow);
            });
            toucher.start();
            expirer.start();
            start.countDown();
            toucher.join(TimeUnit.SECONDS.toMillis(60));
            expirer.join(TimeUnit.SECONDS.toMillis(60));
            int kept = 0;
            for (int i = 1; i <= racing; i++) {
                boolean present = set.touchIfPresent(i, expiryNow);
                kept += present ? 1 : 0;
                mismatches += present == touched[i] ? 0 : 1;
            }
            for (int i = racing + 1; i <= racing + control; i++) {
                assertThat(set.touchIfPresent(i, expiryNow))
                        .as("touched before the pass")
                        .isTrue();
            }
            for (int i = racing + control + 1; i <= racing + 2 * control; i++) {
                assertThat(set.touchIfPresent(i, expiryNow)).as("never touched").isFalse();
            }
            assertThat(removed[0]).isEqualTo(racing - kept + control);
            assertThat(set.size()).isEqualTo(kept + control);
        }
        assertThat(mismatches)
                .as("clients whose touch answer disagrees with the expiry")
                .isZero();
    }

    /**
     * Each round adds a few of this worker's own clients, checks they are admitted, removes them
     * and checks they are gone; every round also re-adds the shared clients (racing the other
     * workers' adds of the same keys) and probes clients nobody adds. Ends with all own clients in.
     */
    private static void churn(
            AdmittedSet set,
            long[] own,
            long[] shared,
            long[] neverAdded,
            long now,
            CountDownLatch start,
            ConcurrentLinkedQueue<String> failures) {
        await(start);
        SplittableRandom random =
                new SplittableRandom(Thread.currentThread().getName().hashCode());
        int batch = 8;
        long[] current = new long[batch];
        for (int round = 0; round < ROUNDS && failures.size() < 10; round++) {
            for (int i = 0; i < batch; i++) {
                current[i] = own[random.nextInt(own.length)];
                if (!set.add(current[i], now)) {
                    failures.add("add refused " + current[i]);
                }
            }
            for (long key : shared) {
                if (!set.add(key, now) || !set.touchIfPresent(key, now)) {
                    failures.add("shared client lost: " + key);
                }
            }
            for (int i = 0; i < batch; i++) {
                if (!set.touchIfPresent(current[i], now)) {
                    failures.add("admitted client lost: " + current[i] + " in round " + round);
                }
            }
            for (long key : neverAdded) {
                if (set.touchIfPresent(key, now)) {
                    failures.add("phantom client: " + key);
                }
            }
            for (int i = 0; i < batch; i++) {
                set.remove(current[i]);
                if (set.touchIfPresent(current[i], now)) {
                    failures.add("removed client still admitted: " + current[i]);
                }
            }
        }
        for (long key : own) {
            if (!set.add(key, now)) {
                failures.add("final add refused " + key);
            }
        }
    }

    /** Distinct non-zero keys whose home slots all fall in the first {@link #SLOT_RANGE} slots. */
    private static long[] clusteredKeys(AdmittedSet set, int count) {
        SplittableRandom random = new SplittableRandom(42);
        long[] keys = new long[count];
        int found = 0;
        while (found < count) {
            long key = random.nextLong();
            if (key != 0 && set.home(key) < SLOT_RANGE) {
                keys[found++] = key;
            }
        }
        return keys;
    }

    private static long[] slice(long[] keys, int from, int length) {
        long[] part = new long[length];
        System.arraycopy(keys, from, part, 0, length);
        return part;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
