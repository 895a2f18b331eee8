package dev.readmit.bench.bucket;

import com.google.common.util.concurrent.RateLimiter;
import dev.readmit.admission.NanoClock;
import dev.readmit.admission.TickingNanoClock;
import dev.readmit.admission.bucket.TokenBucket;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * "Take one permit" on one shared limiter: readmit's {@link TokenBucket} against Bucket4j (lock-free
 * {@code tryConsume(1)}), Guava {@code RateLimiter.tryAcquire()} and Resilience4j {@code
 * AtomicRateLimiter.acquirePermission()}, at 1 and 2 threads, in the same run.
 *
 * <p>Every limiter is configured so that it always admits for the length of the run: the admit path is
 * measured, the same question for each. Bucket4j and Guava refill 10<sup>9</sup> permits per second
 * (Bucket4j's highest rate), Resilience4j {@code Integer.MAX_VALUE} per one-second period. readmit runs at its highest rate (10,000,000/s) with a burst of
 * 10<sup>12</sup>, which at tens of millions of calls per second lasts hours; its clock is a {@link
 * TickingNanoClock} (100 µs resolution, one volatile read per decision). {@code readmit-nanotime} is the
 * same bucket reading {@link System#nanoTime()} on every decision, to show what the clock read costs.
 * All limiters are shared by the threads ({@code Scope.Benchmark}); {@code twoThreads} is the "two
 * event loops on one global rate" case. Each {@code @Param} value runs in its own fork, so every call
 * site sees one implementation.
 *
 * <p>Run (the script builds the jar, adds {@code -prof gc} and writes JSON and text under
 * {@code benchmarks/target/jmh}):
 *
 * <pre>{@code
 * benchmarks/run-jmh.sh TokenBucket -wi 3 -i 5 -f 1 -w 1s -r 1s
 * }</pre>
 *
 * Scores are average time per operation per thread; the total throughput of the two-thread run is
 * {@code 2 / score}. {@link TokenBucketOwnBucketBenchmark} (run by the pattern {@code TokenBucket})
 * is the reference for what this machine gives two threads that share nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {

    private static final double READMIT_RATE = TokenBucket.MAX_PERMITS_PER_SECOND;
    private static final double READMIT_BURST = 1e12;

    /** Which limiter answers. */
    @Param({"readmit", "readmit-nanotime", "bucket4j", "guava", "resilience4j"})
    public String limiter;

    private TickingNanoClock tickingClock;
    private TokenBucket readmit;
    private Bucket bucket4j;
    private RateLimiter guava;
    private AtomicRateLimiter resilience4j;
    private PermitSource source;

    /** One "try to take one permit" call, bound to one limiter per fork. */
    @FunctionalInterface
    interface PermitSource {
        boolean tryTake();
    }

    @Setup
    public void setUp() {
        switch (limiter) {
            case "readmit" -> {
                tickingClock = TickingNanoClock.start(TickingNanoClock.DEFAULT_RESOLUTION);
                readmit = TokenBucket.create(READMIT_RATE, READMIT_BURST, tickingClock);
                TokenBucket bucket = readmit;
                source = bucket::tryAcquire;
            }
            case "readmit-nanotime" -> {
                readmit = TokenBucket.create(READMIT_RATE, READMIT_BURST, NanoClock.system());
                TokenBucket bucket = readmit;
                source = bucket::tryAcquire;
            }
            case "bucket4j" -> {
                bucket4j = Bucket.builder()
                        .addLimit(Bandwidth.builder()
                                .capacity(1_000_000_000_000L)
                                // Bucket4j's highest refill rate: one token per nanosecond.
                                .refillGreedy(1_000_000_000L, Duration.ofSeconds(1))
                                .build())
                        .build();
                Bucket bucket = bucket4j;
                source = () -> bucket.tryConsume(1);
            }
            case "guava" -> {
                guava = RateLimiter.create(1e9);
                RateLimiter rateLimiter = guava;
                source = rateLimiter::tryAcquire;
            }
            case "resilience4j" -> {
                resilience4j = new AtomicRateLimiter(
                        "bench",
                        RateLimiterConfig.custom()
                                .limitForPeriod(Integer.MAX_VALUE)
                                .limitRefreshPeriod(Duration.ofSeconds(1))
                                .timeoutDuration(Duration.ZERO)
                                .build());
                AtomicRateLimiter rateLimiter = resilience4j;
                source = rateLimiter::acquirePermission;
            }
            default -> throw new IllegalArgumentException("unknown limiter " + limiter);
        }
        if (!source.tryTake()) {
            throw new IllegalStateException(limiter + " refused its first permit: it must always admit");
        }
    }

    /** Fails the run if the limiter stopped admitting, which would make the scores meaningless. */
    @TearDown
    public void checkStillAdmittingAndStop() {
        try {
            if (!source.tryTake()) {
                throw new IllegalStateException(limiter + " refused a permit: the run did not measure the admit path");
            }
        } finally {
            if (tickingClock != null) {
                tickingClock.close();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public boolean oneThread() {
        return source.tryTake();
    }

    @Benchmark
    @Threads(2)
    public boolean twoThreads() {
        return source.tryTake();
    }
}
