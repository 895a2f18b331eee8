package dev.readmit.profiles.replay;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What the replay measures, written by the event loops and read by the sampling thread.
 *
 * <p>Latencies go into one HdrHistogram {@link SingleWriterRecorder} per (event loop, class, outcome):
 * each is written only by its loop, so recording is wait-free and no cache line is shared between
 * loops (HdrHistogram's advice for multi-threaded recording). The sampler swaps out the interval
 * histograms of every loop and adds them (histograms are additive; percentiles are not). Counters are
 * striped ({@link LongAdder}, {@link LongAccumulator}) for the same reason.
 *
 * <p>Thread safety: {@code record*} methods are called by event loops, each with its own loop index;
 * {@code interval*} methods only by the one sampling thread.
 */
final class ReplayStats {
    /** One hour in microseconds: the highest latency recorded; longer ones are clamped to it. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final SingleWriterRecorder[][][] latency;
    private final Histogram[][][] recycledLatency;
    private final SingleWriterRecorder[] lag;
    private final Histogram[] recycledLag;
    /** Every attempt handed to a connection, warm-up included (for the end-of-run check). */
    final LongAdder sent = new LongAdder();
    /** Attempts handed to a connection that were intended after the warm-up. */
    final LongAdder measuredSent = new LongAdder();

    final LongAdder completed = new LongAdder();
    final LongAdder lateForConnection = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();
    final LongAccumulator lastAdmittedNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
    final LongAccumulator lastFinishedNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
    final LongAccumulator lastCompletionNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
    /** Smallest (send time - intended time) seen; negative would mean a request left early. */
    final LongAccumulator minLagNanos = new LongAccumulator(Math::min, Long.MAX_VALUE);

    /**
     * Attempts intended before this ({@link System#nanoTime()} scale) are not measured. Written once by
     * {@link #measureFrom} before the event loops get their first task, so they see it without {@code
     * volatile} (a task submitted to a loop happens-after the code before the submission).
     */
    private long measureFromNanos = Long.MIN_VALUE;

    ReplayStats(int classes, int loops) {
        int outcomes = Outcome.values().length;
        latency = new SingleWriterRecorder[loops][classes][outcomes];
        recycledLatency = new Histogram[loops][classes][outcomes];
        lag = new SingleWriterRecorder[loops];
        recycledLag = new Histogram[loops];
        for (int l = 0; l < loops; l++) {
            lag[l] = new SingleWriterRecorder(HIGHEST_MICROS, 3);
            for (int c = 0; c < classes; c++) {
                for (int o = 0; o < outcomes; o++) {
                    latency[l][c][o] = new SingleWriterRecorder(HIGHEST_MICROS, 3);
                }
            }
        }
    }

    void measureFrom(long nanos) {
        measureFromNanos = nanos;
    }

    void recordSend(int loop, long scheduledNanos, long nowNanos) {
        sent.increment();
        if (scheduledNanos - measureFromNanos >= 0) {
            long lagNanos = nowNanos - scheduledNanos;
            measuredSent.increment();
            lag[loop].recordValue(micros(lagNanos));
            minLagNanos.accumulate(lagNanos);
        }
    }

    void recordOutcome(int loop, int classIndex, Outcome outcome, long scheduledNanos, long nowNanos) {
        if (scheduledNanos - measureFromNanos >= 0) {
            latency[loop][classIndex][outcome.ordinal()].recordValue(micros(nowNanos - scheduledNanos));
        }
        completed.increment();
        lastCompletionNanos.accumulate(nowNanos);
    }

    void recordAdmitted(long nowNanos) {
        admitted.incrementAndGet();
        lastAdmittedNanos.accumulate(nowNanos);
    }

    void recordFinished(long nowNanos) {
        finished.incrementAndGet();
        lastFinishedNanos.accumulate(nowNanos);
    }

    /** Replaces {@code into} with the latencies of (class, outcome) since the last call, all loops added. */
    void intervalLatency(int classIndex, Outcome outcome, Histogram into) {
        into.reset();
        for (int l = 0; l < latency.length; l++) {
            Histogram h = latency[l][classIndex][outcome.ordinal()].getIntervalHistogram(
                    recycledLatency[l][classIndex][outcome.ordinal()]);
            into.add(h);
            recycledLatency[l][classIndex][outcome.ordinal()] = h;
        }
    }

    /** Replaces {@code into} with the send lags since the last call, all loops added. */
    void intervalLag(Histogram into) {
        into.reset();
        for (int l = 0; l < lag.length; l++) {
            Histogram h = lag[l].getIntervalHistogram(recycledLag[l]);
            into.add(h);
            recycledLag[l] = h;
        }
    }

    static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
    }
}
