package dev.readmit.profiles.replay;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What the replay measures, written by every event loop and read by the sampling thread. Latencies go
 * into one HdrHistogram {@link Recorder} per (class, outcome): recording is wait-free, and the sampler
 * swaps out interval histograms. Thread safe.
 */
final class ReplayStats {
    /** One hour in microseconds: the highest latency recorded; longer ones are clamped to it. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final Recorder[][] latency;
    final Recorder lag = new Recorder(HIGHEST_MICROS, 3);
    final LongAdder sent = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder lateForConnection = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();
    final AtomicLong lastAdmittedNanos = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong lastFinishedNanos = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong lastCompletionNanos = new AtomicLong(Long.MIN_VALUE);
    /** Smallest (send time - intended time) seen; negative would mean a request left early. */
    final AtomicLong minLagNanos = new AtomicLong(Long.MAX_VALUE);

    ReplayStats(List<String> classes) {
        latency = new Recorder[classes.size()][Outcome.values().length];
        for (Recorder[] row : latency) {
            for (int o = 0; o < row.length; o++) {
                row[o] = new Recorder(HIGHEST_MICROS, 3);
            }
        }
    }

    Recorder recorder(int classIndex, Outcome outcome) {
        return latency[classIndex][outcome.ordinal()];
    }

    void recordSend(long lagNanos) {
        sent.increment();
        lag.recordValue(micros(lagNanos));
        if (lagNanos < minLagNanos.get()) {
            minLagNanos.accumulateAndGet(lagNanos, Math::min);
        }
    }

    void recordOutcome(int classIndex, Outcome outcome, long latencyNanos, long nowNanos) {
        latency[classIndex][outcome.ordinal()].recordValue(micros(latencyNanos));
        completed.increment();
        lastCompletionNanos.accumulateAndGet(nowNanos, Math::max);
    }

    void recordAdmitted(long nowNanos) {
        admitted.incrementAndGet();
        lastAdmittedNanos.accumulateAndGet(nowNanos, Math::max);
    }

    void recordFinished(long nowNanos) {
        finished.incrementAndGet();
        lastFinishedNanos.accumulateAndGet(nowNanos, Math::max);
    }

    static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
    }
}
