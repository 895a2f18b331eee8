package dev.readmit.profiles.replay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * histograms of every loop and adds them (histograms are additive; percentiles are not). The counters
 * of every request are per loop for the same reason; the rarer ones are striped ({@link LongAdder},
 * {@link LongAccumulator}).
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
    /**
     * Per-loop counters, each loop's {@link #STRIDE} longs apart so that two loops never write the same
     * cache line: written only by their loop (plain read, opaque write: no atomic instruction on the
     * path of every request, unlike a {@link LongAdder}), read by the sampler with opaque reads.
     */
    private final long[] perLoop;

    private static final int STRIDE = 16;
    private static final int SENT = 0;
    private static final int MEASURED_SENT = 1;
    private static final int COMPLETED = 2;
    private static final int LAST_COMPLETION = 3;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    final LongAdder lateForConnection = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();
    final LongAccumulator lastAdmittedNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
    final LongAccumulator lastFinishedNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
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
        perLoop = new long[(loops + 1) * STRIDE];
        for (int l = 0; l < loops; l++) {
            perLoop[slot(l, LAST_COMPLETION)] = Long.MIN_VALUE;
        }
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
        recordSend(loop, scheduledNanos, scheduledNanos, nowNanos);
    }

    /**
     * An attempt handed over at {@code nowNanos} that could not leave before {@code readyNanos} for a
     * reason outside the generator (a WebSocket or TCP message waits for its connection to be admitted):
     * its send lag runs from the later of its intended time and {@code readyNanos}, so the lag keeps
     * measuring the generator only. Its latency still runs from its intended time.
     */
    void recordSend(int loop, long scheduledNanos, long readyNanos, long nowNanos) {
        increment(loop, SENT);
        if (scheduledNanos - measureFromNanos >= 0) {
            long lagNanos = nowNanos - Math.max(scheduledNanos, readyNanos);
            increment(loop, MEASURED_SENT);
            lag[loop].recordValue(micros(lagNanos));
            minLagNanos.accumulate(lagNanos);
        }
    }

    void recordOutcome(int loop, int classIndex, Outcome outcome, long scheduledNanos, long nowNanos) {
        if (scheduledNanos - measureFromNanos >= 0) {
            latency[loop][classIndex][outcome.ordinal()].recordValue(micros(nowNanos - scheduledNanos));
        }
        increment(loop, COMPLETED);
        // One loop records its completions in time order: the latest is the last written.
        LONGS.setOpaque(perLoop, slot(loop, LAST_COMPLETION), nowNanos);
    }

    /** Attempts handed to a connection, warm-up included. */
    long sent() {
        return sum(SENT);
    }

    /** Attempts handed to a connection that were intended after the warm-up. */
    long measuredSent() {
        return sum(MEASURED_SENT);
    }

    /** Attempts that ended (answer, timeout, failure), warm-up included. */
    long completed() {
        return sum(COMPLETED);
    }

    /** When the last attempt ended ({@link System#nanoTime()} scale), or {@link Long#MIN_VALUE} if none did. */
    long lastCompletionNanos() {
        long last = Long.MIN_VALUE;
        for (int l = 0; l < lag.length; l++) {
            long v = (long) LONGS.getOpaque(perLoop, slot(l, LAST_COMPLETION));
            if (last == Long.MIN_VALUE || (v != Long.MIN_VALUE && v - last > 0)) {
                last = v;
            }
        }
        return last;
    }

    private static int slot(int loop, int counter) {
        return (loop + 1) * STRIDE + counter;
    }

    private void increment(int loop, int counter) {
        int i = slot(loop, counter);
        LONGS.setOpaque(perLoop, i, perLoop[i] + 1);
    }

    private long sum(int counter) {
        long n = 0;
        for (int l = 0; l < lag.length; l++) {
            n += (long) LONGS.getOpaque(perLoop, slot(l, counter));
        }
        return n;
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
