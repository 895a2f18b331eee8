package dev.readmit.admission.admitted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class AdmittedSetTest {

    private static final Duration IDLE = Duration.ofSeconds(64);
    private static final long SECOND = 1_000_000_000L;

    private final ManualClock clock = new ManualClock(1_000 * SECOND);
    private final long t0 = clock.nanoTime();

    @Test
    void admitsAnAddedClient() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        assertThat(set.touchIfPresent(42, t0)).isFalse();
        assertThat(set.add(42, t0)).isTrue();
        assertThat(set.touchIfPresent(42, t0)).isTrue();
        assertThat(set.touchIfPresent(43, t0)).isFalse();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void addingTwiceKeepsOneEntry() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        assertThat(set.add(42, t0)).isTrue();
        assertThat(set.add(42, t0 + SECOND)).isTrue();
        assertThat(set.size()).isEqualTo(1);
        assertThat(set.liveCopies(42)).isEqualTo(1);
    }

    @Test
    void neverAdmitsTheNoneSentinel() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        assertThatThrownBy(() -> set.add(0, t0)).hasMessageContaining("clientHash 0");
        assertThat(set.touchIfPresent(0, t0)).isFalse();
        assertThat(set.remove(0)).isFalse();
    }

    @Test
    void keepsTheTombstoneValueApartFromItsAlias() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        assertThat(set.add(Long.MIN_VALUE, t0)).isTrue();
        assertThat(set.touchIfPresent(Long.MIN_VALUE, t0)).isTrue();
        assertThat(set.remove(Long.MIN_VALUE)).isTrue();
        assertThat(set.touchIfPresent(Long.MIN_VALUE, t0)).isFalse();
    }

    @Test
    void staysAdmittedWhileSeenWithinTheIdleTimeout() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        set.add(42, t0);
        for (int i = 1; i <= 10; i++) {
            assertThat(set.touchIfPresent(42, t0 + i * 60 * SECOND)).isTrue();
        }
        assertThat(set.expire(t0 + 10 * 60 * SECOND + 63 * SECOND)).isZero();
        assertThat(set.touchIfPresent(42, t0 + 10 * 60 * SECOND + 63 * SECOND)).isTrue();
    }

    @Test
    void isNotIdleBeforeTheTimeoutAndIsIdleSoonAfter() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        set.add(42, t0);
        assertThat(set.touchIfPresent(42, t0 + IDLE.toNanos() - 1)).isTrue();
        set.add(43, t0);
        // two ticks of idleTimeout/64 is the most it may be late
        assertThat(set.touchIfPresent(43, t0 + IDLE.toNanos() + 2 * SECOND)).isFalse();
    }

    @Test
    void expiresNeitherEarlyNorMoreThanThreePercentLateForAnyTimeout() {
        for (Duration idle : new Duration[] {
            Duration.ofNanos(100), Duration.ofMillis(1), Duration.ofSeconds(7), IDLE, Duration.ofHours(5)
        }) {
            AdmittedSet set = AdmittedSet.create(10, idle, clock);
            set.add(1, t0);
            set.add(2, t0);
            long idleNanos = idle.toNanos();
            assertThat(set.touchIfPresent(1, t0 + idleNanos))
                    .as("%s, at the timeout", idle)
                    .isTrue();
            assertThat(set.touchIfPresent(2, t0 + idleNanos + idleNanos * 32 / 1000 + 2))
                    .as("%s, 3.2%% after the timeout", idle)
                    .isFalse();
        }
    }

    @Test
    void touchingAnIdleClientDoesNotReviveIt() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        set.add(42, t0);
        long late = t0 + 70 * SECOND;
        assertThat(set.touchIfPresent(42, late)).isFalse();
        assertThat(set.touchIfPresent(42, late)).isFalse();
        assertThat(set.expire(late)).isEqualTo(1);
        assertThat(set.size()).isZero();
    }

    @Test
    void addingAnIdleClientAgainRevivesIt() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        set.add(42, t0);
        long late = t0 + 70 * SECOND;
        assertThat(set.add(42, late)).isTrue();
        assertThat(set.touchIfPresent(42, late)).isTrue();
        assertThat(set.expire(late)).isZero();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void rollingPassWalksTheTableInSlicesAndCoversItOncePerSweepPeriod() {
        AdmittedSet set = AdmittedSet.create(1_000, IDLE, clock);
        assertThat(set.sweepPeriodNanos()).as("a quarter of the idle timeout").isEqualTo(16 * SECOND);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            set.add(random.nextLong() | 1, t0);
        }
        assertThat(set.expireDue(t0 + 60 * SECOND))
                .as("a whole pass, nobody idle yet")
                .isZero();

        long now = t0 + 66 * SECOND;
        int removed = set.expireDue(now);
        assertThat(removed)
                .as("6 s of a 16 s period: about 6/16 of the table, so about 375 of the 1,000 idle clients")
                .isBetween(250, 500);
        for (int second = 1; second <= 10; second++) {
            removed += set.expireDue(now + second * SECOND);
        }
        assertThat(removed).as("16 s of slices make one whole pass").isEqualTo(1_000);
        assertThat(set.size()).isZero();
    }

    @Test
    void rollingPassCalledEveryTickForgetsAnIdleClientWithinOneSweepPeriodOfItsTimeout() {
        AdmittedSet set = AdmittedSet.create(100_000, IDLE, clock);
        set.add(42, t0);
        long tick = 100_000_000L;
        long now = t0;
        while (set.size() > 0) {
            now += tick;
            set.expireDue(now);
            assertThat(now - t0).as("not yet gone").isLessThanOrEqualTo(IDLE.toNanos() + 2 * set.sweepPeriodNanos());
        }
        assertThat(now - t0).as("never before the idle timeout").isGreaterThan(IDLE.toNanos());
        assertThat(now - t0)
                .as("at most a sweep period (plus the coarse tick's 3%%) after it")
                .isLessThanOrEqualTo(IDLE.toNanos() * 103 / 100 + set.sweepPeriodNanos() + tick);
    }

    @Test
    void expiresOnlyTheIdleClients() {
        AdmittedSet set = AdmittedSet.create(100, IDLE, clock);
        for (long key = 1; key <= 50; key++) {
            set.add(key, t0);
        }
        long later = t0 + 40 * SECOND;
        for (long key = 1; key <= 50; key += 2) {
            assertThat(set.touchIfPresent(key, later)).isTrue();
        }
        long expiry = t0 + 80 * SECOND;
        assertThat(set.expire(expiry)).isEqualTo(25);
        assertThat(set.size()).isEqualTo(25);
        for (long key = 1; key <= 50; key++) {
            assertThat(set.touchIfPresent(key, expiry)).as("client %d", key).isEqualTo(key % 2 == 1);
        }
    }

    @Test
    void removesAtOnce() {
        AdmittedSet set = AdmittedSet.create(10, IDLE, clock);
        set.add(42, t0);
        assertThat(set.remove(42)).isTrue();
        assertThat(set.remove(42)).isFalse();
        assertThat(set.touchIfPresent(42, t0)).isFalse();
        assertThat(set.size()).isZero();
    }

    @Test
    void refusesANewClientWhenFull() {
        AdmittedSet set = AdmittedSet.create(3, IDLE, clock);
        assertThat(set.add(1, t0)).isTrue();
        assertThat(set.add(2, t0)).isTrue();
        assertThat(set.add(3, t0)).isTrue();
        assertThat(set.add(4, t0)).isFalse();
        assertThat(set.add(2, t0)).as("an admitted client is not refused").isTrue();
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.touchIfPresent(4, t0)).isFalse();
    }

    @Test
    void expiresIdleClientsBeforeRefusingWhenFull() {
        AdmittedSet set = AdmittedSet.create(3, IDLE, clock);
        set.add(1, t0);
        set.add(2, t0);
        set.add(3, t0 + 30 * SECOND);
        long later = t0 + 80 * SECOND;
        assertThat(set.add(4, later)).isTrue();
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.touchIfPresent(3, later)).isTrue();
        assertThat(set.touchIfPresent(1, later)).isFalse();
    }

    @Test
    void runsAtMostOneExpiryPassPerTickForAFullSet() {
        AdmittedSet set = AdmittedSet.create(3, IDLE, clock);
        set.add(1, t0);
        set.add(2, t0);
        set.add(3, t0);
        assertThat(set.add(4, t0)).isFalse();
        assertThat(set.add(5, t0 + 1)).isFalse();
        assertThat(set.add(6, t0 + 2)).isFalse();
        assertThat(set.expiryPasses()).isEqualTo(1);
        long nextTick = t0 + IDLE.toNanos() / 64;
        assertThat(set.add(7, nextTick)).isFalse();
        assertThat(set.expiryPasses()).isEqualTo(2);
        long idle = t0 + IDLE.toNanos() * 2;
        assertThat(set.add(8, idle)).isTrue();
        assertThat(set.expiryPasses()).isEqualTo(3);
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void reusesSlotsAcrossManyGenerationsOfClients() {
        AdmittedSet set = AdmittedSet.create(64, IDLE, clock);
        SplittableRandom random = new SplittableRandom(7);
        long now = t0;
        for (int generation = 0; generation < 200; generation++) {
            long[] keys = random.longs(64).map(k -> k == 0 ? 1 : k).toArray();
            for (long key : keys) {
                assertThat(set.add(key, now)).isTrue();
            }
            for (long key : keys) {
                assertThat(set.touchIfPresent(key, now)).isTrue();
            }
            now += 100 * SECOND;
            assertThat(set.expire(now)).isEqualTo(64);
        }
        assertThat(set.size()).isZero();
    }

    @Test
    void holdsAMillionClientsInUnder100BytesEach() {
        AdmittedSet set = AdmittedSet.create(1_000_000, IDLE, clock);
        assertThat(set.slots()).isEqualTo(2_097_152);
        double bytesPerClient = set.tableBytes() / 1_000_000.0;
        assertThat(bytesPerClient).isLessThan(100).isCloseTo(33.55, offset(0.01));
    }

    @Test
    void keepsTheLoadFactorAtMostOneHalf() {
        for (int max : new int[] {1, 7, 8, 9, 1000, 1 << 20, (1 << 20) + 1}) {
            AdmittedSet set = AdmittedSet.create(max, IDLE, clock);
            assertThat(set.slots()).isGreaterThanOrEqualTo(2 * max).isLessThan(4 * Math.max(8, max));
            assertThat(Integer.bitCount(set.slots())).isEqualTo(1);
        }
    }

    @Test
    void touchesWithoutAllocating() {
        // The project runs on HotSpot, which counts allocations per thread: never skip the check.
        assertThat(AllocationMeter.supported())
                .as("per-thread allocation counter")
                .isTrue();
        AdmittedSet set = AdmittedSet.create(1_000, IDLE, clock);
        for (long key = 1; key <= 1_000; key++) {
            set.add(key, t0);
        }
        long hits = 0;
        long before = AllocationMeter.allocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            if (set.touchIfPresent(1 + i % 2_000, t0 + i * 1_000_000L)) {
                hits++;
            }
        }
        long allocated = AllocationMeter.allocatedBytes() - before;
        assertThat(hits).isEqualTo(50_000);
        assertThat(allocated).as("bytes allocated by 100,000 touches").isLessThan(1_000);
    }

    @Test
    void rejectsOutOfRangeSettings() {
        assertThatThrownBy(() -> AdmittedSet.create(0, IDLE, clock)).hasMessageContaining("maxClients");
        assertThatThrownBy(() -> AdmittedSet.create(10, Duration.ZERO, clock))
                .hasMessageContaining("idleTimeout must be positive");
    }
}
