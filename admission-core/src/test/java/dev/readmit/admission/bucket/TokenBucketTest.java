package dev.readmit.admission.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.admission.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    /**
     * Steps the clock by {@code stepNanos} until {@code durationNanos} have passed and, at each instant
     * including the first and the last, takes every permit that is free. Returns the permits taken.
     */
    private static long drainEveryStep(TokenBucket bucket, ManualClock clock, long stepNanos, long durationNanos) {
        long admitted = 0;
        long end = clock.nanoTime() + durationNanos;
        while (true) {
            while (bucket.tryAcquire()) {
                admitted++;
            }
            if (end - clock.nanoTime() <= 0) {
                return admitted;
            }
            clock.advanceNanos(Math.min(stepNanos, end - clock.nanoTime()));
        }
    }

    @Test
    void startsFullAndAdmitsExactlyTheBurstAtOnce() {
        TokenBucket bucket = TokenBucket.create(10, 5, new ManualClock());
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryAcquire()).as("permit %d", i).isTrue();
        }
        assertThat(bucket.tryAcquire()).isFalse();
    }

    /**
     * Demand saturates the bucket: every permit is taken at the first step at or after it accrues. With
     * a burst of 1 the step must divide the interval (a full bucket of one cannot bank the lateness).
     */
    @ParameterizedTest(name = "rate {0}/s, burst {1}, step {2} ns")
    @CsvSource({"1000, 10, 1000000", "3, 2, 10000000", "7.3, 20, 1000000", "0.5, 3, 100000000", "2500, 1, 200000"})
    void admitsRateTimesTimePlusBurstOverASimulatedHour(double rate, double burst, long stepNanos) {
        ManualClock clock = new ManualClock(123_456_789L);
        TokenBucket bucket = TokenBucket.create(rate, burst, clock);

        long admitted = drainEveryStep(bucket, clock, stepNanos, 3600 * SECOND);

        double allowed = rate * 3600 + burst;
        assertThat((double) admitted).isLessThanOrEqualTo(Math.floor(allowed)).isGreaterThan(allowed - 1.5);
        assertThat(admitted).isGreaterThanOrEqualTo((long) Math.floor(allowed) - 1);
    }

    @Test
    void aRateChangeMidwayTakesEffectAtOnce() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(100, 10, clock);

        long first = drainEveryStep(bucket, clock, 1_000_000, 1800 * SECOND);
        bucket.setRate(400, 10);
        clock.advanceNanos(1_000_000);
        long second = drainEveryStep(bucket, clock, 1_000_000, 1800 * SECOND - 1_000_000);

        assertThat(first).isEqualTo(10 + 100 * 1800);
        assertThat(second).isBetween(400L * 1800 - 1, 400L * 1800);
        assertThat(bucket.permitsPerSecond()).isEqualTo(400);
    }

    @Test
    void raisingTheRateOfADrainedBucketShortensTheWaitAtOnce() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1, 1, clock);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(SECOND);

        bucket.setRate(1000, 1);

        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(1_000_000);
        clock.advanceNanos(999_999);
        assertThat(bucket.tryAcquire()).isFalse();
        clock.advanceNanos(1);
        assertThat(bucket.tryAcquire()).isTrue();
    }

    @Test
    void aRateChangeKeepsTheFreePermitsUpToTheNewBurst() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(10, 10, clock);
        assertThat(bucket.tryAcquire(4)).isTrue();

        bucket.setRate(20, 8);
        assertThat(bucket.tryAcquire(6)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        bucket.setRate(5, 3);
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.burst()).isEqualTo(3);
    }

    @Test
    void aFullBucketStaysFullWhenTheBurstShrinks() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(10, 10, clock);
        bucket.setRate(1, 4);
        assertThat(bucket.tryAcquire(4)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void rateZeroAdmitsNothing() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(0, 0, clock);

        long admitted = drainEveryStep(bucket, clock, SECOND, 3600 * SECOND);

        assertThat(admitted).isZero();
        assertThat(bucket.tryAcquire(1)).isFalse();
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(Long.MAX_VALUE);
        assertThat(bucket.permitsPerSecond()).isZero();
    }

    @Test
    void closingStopsAdmissionAtOnceAndReopeningStartsEmpty() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(100, 50, clock);
        assertThat(bucket.tryAcquire()).isTrue();

        bucket.setRate(0, 50);
        assertThat(bucket.tryAcquire()).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(Long.MAX_VALUE);

        bucket.setRate(100, 50);
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(10_000_000);
        clock.advanceNanos(10_000_000);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void nanosUntilNextPermitCountsDownAsTimePasses() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(10, 2, clock);
        assertThat(bucket.nanosUntilNextPermit()).isZero();
        assertThat(bucket.tryAcquire(2)).isTrue();

        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(100_000_000);
        clock.advanceNanos(40_000_000);
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(60_000_000);
        assertThat(bucket.nanosUntilNextPermitAt(clock.nanoTime() + 60_000_000)).isZero();
    }

    @Test
    void takesSeveralPermitsAllOrNothing() {
        TokenBucket bucket = TokenBucket.create(1, 10, new ManualClock());
        assertThat(bucket.tryAcquire(4)).isTrue();
        assertThat(bucket.tryAcquire(4)).isTrue();
        assertThat(bucket.tryAcquire(4)).isFalse();
        assertThat(bucket.tryAcquire(2)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void neverGrantsMoreThanTheBurstInOneRequest() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1, 10, clock);
        clock.advance(Duration.ofDays(1));
        assertThat(bucket.tryAcquire(11)).isFalse();
        assertThat(bucket.tryAcquire(10)).isTrue();
    }

    @Test
    void theHighestRateHoldsOverYearsWithoutOverflowAcrossTheClockWrap() {
        // Starts just before nanoTime wraps, and crosses the 2^56 ns wrap of the fixed-point time line.
        ManualClock clock = new ManualClock(Long.MAX_VALUE - SECOND);
        TokenBucket bucket = TokenBucket.create(10_000_000, 10, clock);
        for (int day = 0; day < 3 * 366; day++) {
            int admitted = 0;
            while (bucket.tryAcquire()) {
                admitted++;
            }
            assertThat(admitted).as("day %d", day).isEqualTo(10);
            assertThat(bucket.nanosUntilNextPermit()).as("day %d", day).isEqualTo(100);
            clock.advance(Duration.ofDays(1));
        }
    }

    @Test
    void anIdleBucketIsFullAfterAnyLongIdle() {
        long[] idles = {1L << 54, 1L << 55, (1L << 56) - 1, 1L << 56, 3 * (1L << 56) + 5, 200L * 365 * 86_400 * SECOND};
        ManualClock clock = new ManualClock(Long.MIN_VALUE + 7);
        TokenBucket bucket = TokenBucket.create(0.01, 3, clock);
        for (long idle : idles) {
            assertThat(bucket.tryAcquire(3)).as("after %d ns idle", idle).isTrue();
            assertThat(bucket.tryAcquire()).isFalse();
            clock.advanceNanos(idle);
            assertThat(bucket.nanosUntilNextPermit()).isZero();
        }
    }

    @Test
    void keepsItsStateAcrossTheRebaseOfItsOrigin() {
        ManualClock clock = new ManualClock(42);
        TokenBucket bucket = TokenBucket.create(10, 5, clock);
        clock.advanceNanos((1L << 54) - 50_000_000);
        assertThat(bucket.tryAcquire(5)).isTrue();
        clock.advanceNanos(60_000_000);

        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(40_000_000);
        clock.advanceNanos(40_000_000);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void refusesANowFromLongBeforeTheBucketExisted() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(10, 5, clock);
        assertThat(bucket.tryAcquireAt(-(1L << 55))).isFalse();
        assertThat(bucket.tryAcquireAt(0)).isTrue();
    }

    @Test
    void theHighestRateIsExactOverASimulatedSecond() {
        ManualClock clock = new ManualClock(-5 * SECOND);
        TokenBucket bucket = TokenBucket.create(10_000_000, 10, clock);

        long admitted = drainEveryStep(bucket, clock, 1_000, SECOND);

        assertThat(admitted).isEqualTo(10_000_000 + 10);
    }

    @Test
    void theLowestRateIsExactOverSimulatedDaysAcrossTheClockWrap() {
        ManualClock clock = new ManualClock(Long.MAX_VALUE - 3600 * SECOND);
        TokenBucket bucket = TokenBucket.create(0.01, 1, clock);

        long admitted = drainEveryStep(bucket, clock, SECOND, 10 * 86_400 * SECOND);

        assertThat(admitted).isEqualTo(10 * 864 + 1);
        assertThat(bucket.nanosUntilNextPermit()).isEqualTo(100 * SECOND);
    }

    @Test
    void theLongestBurstWindowRefillsFromEmpty() {
        ManualClock clock = new ManualClock();
        double burst = 0.01 * TokenBucket.MAX_REFILL_SECONDS;
        TokenBucket bucket = TokenBucket.create(0.01, burst, clock);
        assertThat(bucket.tryAcquire((int) burst)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();

        clock.advance(Duration.ofSeconds(TokenBucket.MAX_REFILL_SECONDS));

        assertThat(bucket.tryAcquire((int) burst)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void rejectsRatesOutOfRangeNamingTheField() {
        ManualClock clock = new ManualClock();
        for (double rate : new double[] {-1, 0.005, 10_000_001, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> TokenBucket.create(rate, 10, clock))
                    .as("rate %s", rate)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("permitsPerSecond must be 0 (closed) or from 0.01 to 10,000,000");
        }
    }

    @Test
    void rejectsBurstsOutOfRangeNamingTheField() {
        ManualClock clock = new ManualClock();
        assertThatThrownBy(() -> TokenBucket.create(10, 0.5, clock)).hasMessageContaining("burst must be at least 1");
        assertThatThrownBy(() -> TokenBucket.create(10, Double.NaN, clock)).hasMessageContaining("burst must be");
        assertThatThrownBy(() -> TokenBucket.create(0, -1, clock)).hasMessageContaining("burst must be");
        assertThatThrownBy(() -> TokenBucket.create(0.01, 1e6, clock))
                .hasMessageContaining("burst must refill within 4,503,599 s");
        assertThatThrownBy(() -> TokenBucket.create(1, 1, clock).tryAcquire(0))
                .hasMessageContaining("permits must be at least 1");
    }

    @Test
    void aRejectedRateChangeLeavesTheBucketUnchanged() {
        TokenBucket bucket = TokenBucket.create(10, 10, new ManualClock());
        assertThatThrownBy(() -> bucket.setRate(1e9, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(bucket.permitsPerSecond()).isEqualTo(10);
        assertThat(bucket.tryAcquire(10)).isTrue();
    }

    @Test
    void stripingKeepsTheFreePermits() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(10, 10, clock);
        assertThat(bucket.tryAcquire(4)).isTrue();

        assertThat(bucket.inflate(clock.nanoTime())).isTrue();
        assertThat(bucket.cellCount()).isEqualTo(2);

        int admitted = 0;
        while (bucket.tryAcquire()) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(6);
    }

    @Test
    void aStripedBucketStillAdmitsAtMostRateTimesTimePlusBurst() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1000, 64, clock);
        while (bucket.inflate(clock.nanoTime())) {
            // as far as this machine's cell limit allows
        }
        int cells = bucket.cellCount();
        assertThat(cells).isGreaterThan(1);

        long admitted = drainEveryStep(bucket, clock, 1_000_000, 600 * SECOND);

        assertThat(admitted).isBetween(1000L * 600 + 64 - cells, 1000L * 600 + 64);
    }

    @Test
    void aLargeRequestFoldsAStripedBucketBackToOneCell() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1, 10, clock);
        assertThat(bucket.inflate(clock.nanoTime())).isTrue();

        assertThat(bucket.tryAcquire(8)).isTrue();

        assertThat(bucket.cellCount()).isEqualTo(1);
        assertThat(bucket.tryAcquire(2)).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void aBurstOfOneIsNeverStriped() {
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1000, 1, clock);
        assertThat(bucket.inflate(clock.nanoTime())).isFalse();
        assertThat(bucket.cellCount()).isEqualTo(1);
    }

    @Test
    void decidesWithoutAllocating() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ManualClock clock = new ManualClock();
        TokenBucket bucket = TokenBucket.create(1000, 10, clock);
        long admitted = drainEveryStep(bucket, clock, 100_000, SECOND);
        long before = threads.getCurrentThreadAllocatedBytes();

        admitted += drainEveryStep(bucket, clock, 100_000, 10 * SECOND);
        long waitSum = bucket.nanosUntilNextPermit() + bucket.nanosUntilNextPermitAt(clock.nanoTime() + 1);

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(admitted).isEqualTo(11 * 1000 + 10);
        assertThat(allocated)
                .as("bytes over 100,000 steps (wait sum %d)", waitSum)
                .isLessThan(1_000);
    }

    @Test
    void theCellLimitIsTwiceTheProcessorsRoundedUpToAPowerOfTwo() {
        assertThat(TokenBucket.maxCells(1)).isEqualTo(2);
        assertThat(TokenBucket.maxCells(2)).isEqualTo(4);
        assertThat(TokenBucket.maxCells(3)).isEqualTo(8);
        assertThat(TokenBucket.maxCells(64)).isEqualTo(64);
    }
}
