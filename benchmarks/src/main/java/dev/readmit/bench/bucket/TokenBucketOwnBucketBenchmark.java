package dev.readmit.bench.bucket;

import dev.readmit.admission.TickingNanoClock;
import dev.readmit.admission.bucket.TokenBucket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reference for {@link TokenBucketBenchmark}, not a peer: each thread takes permits from a readmit
 * bucket of its own, so nothing is shared between the threads but the ticking clock. Where two threads
 * really run in parallel, {@code twoThreads} here scores the same as {@code oneThread}; on a loaded
 * or small machine it shows what two threads that share nothing can get, and the shared-bucket score
 * of {@link TokenBucketBenchmark#twoThreads} should be read against it.
 *
 * <pre>{@code
 * benchmarks/run-jmh.sh TokenBucket -wi 3 -i 5 -f 1 -w 1s -r 1s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketOwnBucketBenchmark {

    private TickingNanoClock clock;

    @Setup
    public void startClock() {
        clock = TickingNanoClock.start(TickingNanoClock.DEFAULT_RESOLUTION);
    }

    @TearDown
    public void stopClock() {
        clock.close();
    }

    /** The calling thread's own bucket, configured as in {@link TokenBucketBenchmark}. */
    @State(Scope.Thread)
    public static class OwnBucket {
        TokenBucket bucket;

        @Setup
        public void create(TokenBucketOwnBucketBenchmark run) {
            bucket = TokenBucket.create(TokenBucket.MAX_PERMITS_PER_SECOND, 1e12, run.clock);
        }
    }

    @Benchmark
    @Threads(1)
    public boolean oneThread(OwnBucket own) {
        return own.bucket.tryAcquire();
    }

    @Benchmark
    @Threads(2)
    public boolean twoThreads(OwnBucket own) {
        return own.bucket.tryAcquire();
    }
}
