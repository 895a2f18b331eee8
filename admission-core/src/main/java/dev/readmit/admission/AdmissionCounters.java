package dev.readmit.admission;

import java.util.concurrent.atomic.LongAdder;

/**
 * Decision counts by class and outcome, kept in preallocated {@link LongAdder}s so that counting
 * allocates nothing and two event loops do not contend on one word. The gateway exposes them as
 * Micrometer function counters ({@code readmit_admissions_total{class,outcome}}).
 */
public final class AdmissionCounters {

    private final LongAdder[][] admits;
    private final LongAdder[] waits;
    private final LongAdder[] waitsForRamp;
    private final LongAdder[] waitsForRampWithRoom;
    private final LongAdder[] waitsForRoom;
    private final LongAdder[][] rejects;

    AdmissionCounters(int classCount) {
        admits = new LongAdder[classCount][Decision.Admit.values().length];
        waits = new LongAdder[classCount];
        waitsForRamp = new LongAdder[classCount];
        waitsForRampWithRoom = new LongAdder[classCount];
        waitsForRoom = new LongAdder[classCount];
        rejects = new LongAdder[classCount][Decision.RejectReason.values().length];
        for (int c = 0; c < classCount; c++) {
            for (int a = 0; a < admits[c].length; a++) {
                admits[c][a] = new LongAdder();
            }
            waits[c] = new LongAdder();
            waitsForRamp[c] = new LongAdder();
            waitsForRampWithRoom[c] = new LongAdder();
            waitsForRoom[c] = new LongAdder();
            for (int r = 0; r < rejects[c].length; r++) {
                rejects[c][r] = new LongAdder();
            }
        }
    }

    void record(int classIndex, Decision.Admit admit) {
        admits[classIndex][admit.ordinal()].increment();
    }

    void recordWait(int classIndex) {
        waits[classIndex].increment();
    }

    void recordWaitForRamp(int classIndex, boolean upstreamHadRoom) {
        waits[classIndex].increment();
        waitsForRamp[classIndex].increment();
        if (upstreamHadRoom) {
            waitsForRampWithRoom[classIndex].increment();
        }
    }

    void recordWaitForRoom(int classIndex) {
        waits[classIndex].increment();
        waitsForRoom[classIndex].increment();
    }

    void recordReject(int classIndex, Decision.RejectReason reason) {
        rejects[classIndex][reason.ordinal()].increment();
    }

    /** Admissions of a class by how the client came to be admitted. */
    public long admits(int classIndex, Decision.Admit how) {
        return admits[classIndex][how.ordinal()].sum();
    }

    /** Every admission of a class. */
    public long admits(int classIndex) {
        long sum = 0;
        for (LongAdder adder : admits[classIndex]) {
            sum += adder.sum();
        }
        return sum;
    }

    /** Wait answers given to a class. */
    public long waits(int classIndex) {
        return waits[classIndex].sum();
    }

    /** Wait answers given to a class because the client's cohort was not open yet (part of {@link #waits}). */
    public long waitsForRamp(int classIndex) {
        return waitsForRamp[classIndex].sum();
    }

    /**
     * Of {@link #waitsForRamp}, those told while the upstream had a free slot: a new client would have
     * been let in had its cohort been open (the ramp, not the upstream, held it back).
     */
    public long waitsForRampWithRoom(int classIndex) {
        return waitsForRampWithRoom[classIndex].sum();
    }

    /**
     * Wait answers given to eligible clients of a class because the upstream was at its concurrency
     * limit (part of {@link #waits}): the limit, not the new-client rate, held them back.
     */
    public long waitsForRoom(int classIndex) {
        return waitsForRoom[classIndex].sum();
    }

    /** Rejections of a class for a reason. */
    public long rejects(int classIndex, Decision.RejectReason reason) {
        return rejects[classIndex][reason.ordinal()].sum();
    }

    /** Every rejection of a class. */
    public long rejects(int classIndex) {
        long sum = 0;
        for (LongAdder adder : rejects[classIndex]) {
            sum += adder.sum();
        }
        return sum;
    }
}
