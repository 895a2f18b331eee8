package dev.readmit.admission.bucket;

import dev.readmit.admission.NanoClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;

/**
 * A lock-free, allocation-free token bucket: at most {@code permitsPerSecond × t + burst} permits in
 * any stretch of {@code t} seconds, with rate and burst changeable while it runs.
 *
 * <p><b>Contract.</b> A new bucket starts full ({@code burst} permits free). {@link #tryAcquire()}
 * takes one permit if one is free and never waits. A rate of {@code 0} means closed: nothing is
 * admitted and {@link #nanosUntilNextPermit()} returns {@link Long#MAX_VALUE}. Open rates range from
 * {@value #MIN_PERMITS_PER_SECOND} to 10,000,000 permits per second; {@code burst} is at least 1 and
 * at most what refills in {@value #MAX_REFILL_SECONDS} seconds (about 52 days). Time comes from the
 * injected {@link NanoClock}, or from the caller through the {@code ...At(long nowNanos)} methods,
 * which must use the same clock.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread. The acquiring and querying
 * methods take no lock and allocate nothing. {@link #setRate} is serialised with other layout changes
 * and allocates; it is meant for operator actions, not for every request.
 *
 * <p><b>Precision.</b> The bound holds in the time of the clock the bucket reads. With a coarse clock
 * such as {@link dev.readmit.admission.TickingNanoClock} all decisions within one tick see the same
 * "now", so permits that accrue during a tick become free together at the next tick, and measured
 * against real time the bound is {@code permitsPerSecond × (t + resolution) + burst}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>GCRA.</b> Each cell keeps a theoretical arrival time {@code tat} (GCRA, the virtual-scheduling
 * form of a token bucket): a request for {@code n} permits computes {@code next = max(tat, now) + n×T}
 * where {@code T} is the emission interval (nanoseconds per permit), and succeeds with one CAS of
 * {@code tat → next} if {@code next − now ≤ τ}, where {@code τ = burst × T} is the burst window. The
 * free permits at {@code now} are {@code (now + τ − max(tat, now)) / T}. Nothing else is stored.
 *
 * <p><b>Fixed point, relative to an origin.</b> Cell times are {@code long}s in units of 2<sup>-{@value
 * #FRACTION_BITS}</sup> ns, counted from the layout's origin (a clock reading taken when the layout was
 * made), so they never overflow: "now" is {@code (nowNanos − origin) << 8}, exact while within
 * 2<sup>54</sup> ns (about 208 days) of the origin, and the first call after that rebases the layout to
 * a new origin (the same relayout as below, once in 208 days). The clock itself may wrap, as {@link
 * System#nanoTime()} may: only differences are used. {@code T} is rounded up, never down, to the next
 * even unit: the bucket may admit fractionally fewer than {@code permitsPerSecond} (at 10,000,000/s
 * {@code T} = 100 ns = 25,600 units exactly; the worst case is 2/256 ns per permit, 0.008% at
 * 10,000,000/s) but never more, and since the fraction is kept, intervals that are not whole nanoseconds
 * (3/s) stay exact over hours. A caller-supplied {@code nowNanos} more than 208 days before the origin
 * is refused.
 *
 * <p><b>Striping.</b> One CAS word shared by several cores ping-pongs between their caches; two threads
 * on one word are slower together than one alone. The bucket therefore starts with one cell and, like
 * {@link java.util.concurrent.atomic.LongAdder}, doubles its cells when a CAS fails under contention
 * (up to twice the processor count rounded to a power of two, and never below one permit of burst per
 * cell). With {@code k} cells each cell gets rate {@code r/k} and burst {@code b/k}: its interval is
 * {@code k×T} and its burst window is the same {@code τ}. A thread tries the cell chosen by its thread
 * id first and then every other cell, so "denied" means every cell was empty when probed (threads whose
 * ids fall on the same cell share it: correct, only slower; sequentially created threads such as
 * event loops get different cells). Each cell
 * admits at most {@code (r/k)t + b/k}, so the sum still admits at most {@code rt + b}. The price is
 * fragmentation: up to {@code k − 1} permits can sit as fractions in different cells; a bucket that was
 * never contended keeps one cell and is exact. A request for more permits than one cell holds first
 * folds the bucket back to one cell. Cells are padded to their own cache lines.
 *
 * <p><b>Changing the layout</b> (rate, burst or cell count) without a lock on the hot path. Every live
 * {@code tat} is even, so an odd value marks a retired cell. Under a busy flag: (1) publish a new layout
 * whose cells are drained ({@code tat = now + τ'}): new callers are at worst refused for the
 * microseconds the change takes, never over-admitted; (2) swap every old cell to the retired mark,
 * capturing its final {@code tat}; a caller racing on an old cell either got in before the swap (and is
 * counted in the captured value) or fails its CAS, sees the mark and rereads the layout; (3) sum the
 * free permits the old cells held at {@code now} (a debt counts negative), cap them at the new burst and
 * credit them, rounded down, to the new cells. So a rate change keeps the permits that were free, takes
 * effect at once, and never creates permits; a closed bucket holds none, so reopening starts empty.
 */
public final class TokenBucket {

    /** Lowest open rate, permits per second. */
    public static final double MIN_PERMITS_PER_SECOND = 0.01;

    /** Highest rate, permits per second. */
    public static final double MAX_PERMITS_PER_SECOND = 10_000_000;

    /** Longest burst window, {@code burst / permitsPerSecond}, in seconds (2<sup>52</sup> ns). */
    public static final long MAX_REFILL_SECONDS = (1L << 52) / 1_000_000_000L;

    static final int FRACTION_BITS = 8;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_REFILL_NANOS = 1L << 52;
    private static final long ONE_NANO = 1L << FRACTION_BITS;
    private static final long RETIRED = 1L;
    /** A layout is rebased when "now" is this far from its origin: 2^54 ns, about 208 days. */
    private static final long REBASE_NANOS = 1L << 54;

    private static final int MAX_CELLS = maxCells(Runtime.getRuntime().availableProcessors());

    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(TokenBucket.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NanoClock clock;
    private volatile Layout layout;

    /** 1 while one thread changes the layout; accessed through {@link #BUSY} with CAS and volatile set. */
    @SuppressWarnings("unused")
    private volatile int busy;

    private TokenBucket(NanoClock clock, Layout layout) {
        this.clock = clock;
        this.layout = layout;
    }

    /**
     * Creates a full bucket.
     *
     * @param permitsPerSecond refill rate: 0 (closed) or from 0.01 to 10,000,000
     * @param burst most permits that can be taken at once from a full bucket: at least 1 when open
     *     (any non-negative value when closed), and {@code burst / permitsPerSecond} at most {@value
     *     #MAX_REFILL_SECONDS} seconds
     * @param clock the time source; not null
     * @throws IllegalArgumentException naming the field and the allowed range if a value is out of range
     */
    public static TokenBucket create(double permitsPerSecond, double burst, NanoClock clock) {
        Objects.requireNonNull(clock, "clock");
        validate(permitsPerSecond, burst);
        Layout layout = Layout.create(permitsPerSecond, burst, 1, clock.nanoTime());
        if (!layout.closed) {
            layout.cells[0].value = 0; // tat = now: full
        }
        return new TokenBucket(clock, layout);
    }

    /** Takes one permit if one is free now (reading the injected clock); never waits. */
    public boolean tryAcquire() {
        return acquire(clock.nanoTime(), 1);
    }

    /**
     * Takes {@code permits} permits at once if that many are free now; never waits, never takes part.
     *
     * @throws IllegalArgumentException if {@code permits} is below 1
     */
    public boolean tryAcquire(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, got " + permits);
        }
        return acquire(clock.nanoTime(), permits);
    }

    /**
     * Takes one permit if one is free at {@code nowNanos}, a reading of the bucket's clock that the
     * caller has already taken (saves a second clock read on the hot path).
     */
    public boolean tryAcquireAt(long nowNanos) {
        return acquire(nowNanos, 1);
    }

    /**
     * Nanoseconds until one permit is free: 0 if one is free now, {@link Long#MAX_VALUE} when the rate
     * is 0. An estimate for a caller that does not compete: others may take the permit first.
     */
    public long nanosUntilNextPermit() {
        return nanosUntilNextPermitAt(clock.nanoTime());
    }

    /** As {@link #nanosUntilNextPermit()}, at {@code nowNanos} (a reading of the bucket's clock). */
    public long nanosUntilNextPermitAt(long nowNanos) {
        for (; ; ) {
            Layout l = layout;
            if (l.closed) {
                return Long.MAX_VALUE;
            }
            long sinceOrigin = nowNanos - l.originNanos;
            if (sinceOrigin >= REBASE_NANOS || sinceOrigin <= -REBASE_NANOS) {
                if (sinceOrigin > 0) {
                    rebase(l, nowNanos);
                    Thread.onSpinWait();
                    continue;
                }
                return l.windowFp >>> FRACTION_BITS; // "now" from long before the layout: a full window
            }
            final long now = sinceOrigin << FRACTION_BITS;
            long shortest = Long.MAX_VALUE;
            boolean retired = false;
            for (Cell cell : l.cells) {
                long tat = cell.value;
                if ((tat & RETIRED) != 0) {
                    retired = true;
                    break;
                }
                long wait = start(tat, now) + l.costFp - now - l.windowFp;
                if (wait <= 0) {
                    return 0;
                }
                shortest = Math.min(shortest, wait);
            }
            if (!retired) {
                return (shortest + ONE_NANO - 1) >>> FRACTION_BITS;
            }
        }
    }

    /**
     * Changes rate and burst at once. The permits free at this moment are kept, up to the new burst; a
     * closed bucket has none, so a bucket opened from rate 0 starts empty and fills at the new rate.
     * Same ranges as {@link #create}. Waits (spinning briefly) while another change is in progress.
     *
     * @throws IllegalArgumentException naming the field if a value is out of range; the bucket is then
     *     unchanged
     */
    public void setRate(double permitsPerSecond, double burst) {
        validate(permitsPerSecond, burst);
        while (!BUSY.compareAndSet(this, 0, 1)) {
            Thread.yield();
        }
        try {
            Layout old = layout;
            int cells = Math.min(old.closed ? 1 : old.cells.length, cellLimit(burst));
            relayout(old, permitsPerSecond, burst, cells, clock.nanoTime());
        } finally {
            BUSY.setVolatile(this, 0);
        }
    }

    /** The current rate in permits per second; 0 when closed. */
    public double permitsPerSecond() {
        return layout.permitsPerSecond;
    }

    /** The current burst in permits. */
    public double burst() {
        return layout.burst;
    }

    /** Number of cells the bucket is striped over now (1 until contention was seen); for tests. */
    int cellCount() {
        Layout l = layout;
        return l.closed ? 0 : l.cells.length;
    }

    /** Doubles the cells as contention would, if allowed; for tests. Returns whether it did. */
    boolean inflate(long nowNanos) {
        return changeCells(layout, layout.closed ? 0 : layout.cells.length * 2, nowNanos);
    }

    private boolean acquire(long nowNanos, int permits) {
        for (; ; ) {
            Layout l = layout;
            if (permits > l.permitsPerCell) {
                // Closed, more than the burst, or more than one cell holds: fold back to one cell.
                if (l.closed || l.cells.length == 1 || !changeCells(l, 1, nowNanos)) {
                    return false;
                }
                continue;
            }
            long sinceOrigin = nowNanos - l.originNanos;
            if (sinceOrigin >= REBASE_NANOS || sinceOrigin <= -REBASE_NANOS) {
                // Once in ~208 days of a layout's life; a "now" from long before it is refused.
                if (sinceOrigin > 0 && rebase(l, nowNanos)) {
                    continue;
                }
                return false;
            }
            final long now = sinceOrigin << FRACTION_BITS;
            Cell[] cells = l.cells;
            int mask = cells.length - 1;
            long cost = l.costFp * permits;
            long window = l.windowFp;
            int first = (int) Thread.currentThread().getId() & mask;
            int i = first;
            do {
                Cell cell = cells[i];
                for (; ; ) {
                    long tat = cell.value;
                    if ((tat & RETIRED) != 0) {
                        break;
                    }
                    long next = start(tat, now) + cost;
                    if (next - now > window) {
                        break;
                    }
                    if (cell.compareAndSet(tat, next)) {
                        return true;
                    }
                    onContention(l, nowNanos);
                }
                if ((cell.value & RETIRED) != 0) {
                    break;
                }
                i = (i + 1) & mask;
            } while (i != first);
            if (layout == l) {
                return false;
            }
        }
    }

    /** {@code max(tat, now)}: a bucket idle since {@code tat} starts again from now. */
    private static long start(long tat, long now) {
        return Math.max(tat, now);
    }

    /** Moves the layout's origin to {@code nowNanos}, keeping its state; false if another change runs. */
    private boolean rebase(Layout l, long nowNanos) {
        return changeCells(l, l.cells.length, nowNanos);
    }

    private void onContention(Layout l, long nowNanos) {
        if (l.cells.length < l.maxCells && layout == l) {
            changeCells(l, l.cells.length * 2, nowNanos);
        }
    }

    /** Relayouts to {@code cells} cells at the same rate, unless another change is in progress. */
    private boolean changeCells(Layout l, int cells, long nowNanos) {
        if (l.closed || cells < 1 || cells > Math.max(l.maxCells, l.cells.length) || !BUSY.compareAndSet(this, 0, 1)) {
            return false;
        }
        try {
            if (layout != l) {
                return true;
            }
            relayout(l, l.permitsPerSecond, l.burst, cells, nowNanos);
            return true;
        } finally {
            BUSY.setVolatile(this, 0);
        }
    }

    /** Steps (1) to (3) of the class notes. The caller holds the busy flag. */
    private void relayout(Layout old, double permitsPerSecond, double burst, int cells, long nowNanos) {
        Layout next = Layout.create(permitsPerSecond, burst, cells, nowNanos);
        layout = next;
        if (old.closed) {
            return;
        }
        // "now" in the old layout's frame, exactly: the old origin may be far from now (a rebase).
        BigInteger oldNow = BigInteger.valueOf(nowNanos - old.originNanos).shiftLeft(FRACTION_BITS);
        // Free time (in fixed-point units of the old layout) summed over the old cells; a debt counts
        // negative. Free permits = freeFp / old.costFp.
        BigInteger freeFp = BigInteger.ZERO;
        boolean allFull = true;
        for (Cell cell : old.cells) {
            long tat = (long) Cell.VALUE.getAndSet(cell, RETIRED);
            BigInteger aheadOfNow = BigInteger.valueOf(tat).subtract(oldNow);
            long ahead = aheadOfNow.signum() > 0 ? aheadOfNow.longValueExact() : 0;
            if (ahead != 0) {
                allFull = false;
            }
            freeFp = freeFp.add(BigInteger.valueOf(old.windowFp - ahead));
        }
        if (next.closed) {
            return;
        }
        long credit;
        if (allFull && burst <= old.burst) {
            credit = next.windowFp;
        } else {
            // Exact: credit per new cell = floor(free permits / cells * new cost), in big integers so
            // that no rounding can create a permit. Not on the hot path.
            long perCell = freeFp.multiply(BigInteger.valueOf(next.costFp))
                    .divide(BigInteger.valueOf(old.costFp).multiply(BigInteger.valueOf(cells)))
                    .longValue();
            if (freeFp.signum() < 0) {
                perCell -= 1; // BigInteger division truncates toward zero; a debt must round up.
            }
            credit = evenFloor(Math.min(perCell, next.windowFp));
        }
        for (Cell cell : next.cells) {
            Cell.VALUE.getAndAdd(cell, -credit);
        }
    }

    private static long evenFloor(long value) {
        return value & ~1L;
    }

    private static void validate(double permitsPerSecond, double burst) {
        if (!(permitsPerSecond == 0
                || (permitsPerSecond >= MIN_PERMITS_PER_SECOND && permitsPerSecond <= MAX_PERMITS_PER_SECOND))) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "permitsPerSecond must be 0 (closed) or from %s to %,d, got %s",
                    MIN_PERMITS_PER_SECOND,
                    (long) MAX_PERMITS_PER_SECOND,
                    permitsPerSecond));
        }
        if (!(burst >= 0) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException("burst must be a finite number of permits, got " + burst);
        }
        if (permitsPerSecond > 0) {
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1 when the rate is open, got " + burst);
            }
            if (burst / permitsPerSecond * NANOS_PER_SECOND > MAX_REFILL_NANOS) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "burst must refill within %,d s at the rate (burst / permitsPerSecond), got burst %s at"
                                + " %s/s",
                        MAX_REFILL_SECONDS,
                        burst,
                        permitsPerSecond));
            }
        }
    }

    /** Most cells for a burst: a power of two, at most {@link #MAX_CELLS}, at least one permit each. */
    private static int cellLimit(double burst) {
        int cells = 1;
        while (cells < MAX_CELLS && burst / (cells * 2) >= 1) {
            cells *= 2;
        }
        return cells;
    }

    static int maxCells(int processors) {
        int cells = Integer.highestOneBit(Math.max(1, processors * 2 - 1)) * 2;
        return Math.min(64, cells);
    }

    /** An immutable snapshot of rate, burst and the cells that carry them. */
    private static final class Layout {
        /** The {@link NanoClock} reading that cell times are relative to. */
        final long originNanos;

        final double permitsPerSecond;
        final double burst;
        final boolean closed;
        final Cell[] cells;
        /** Emission interval of one cell, {@code cells × T}, in fixed-point units; even. */
        final long costFp;
        /** Burst window {@code τ} in fixed-point units; even. */
        final long windowFp;
        /** Whole permits one full cell holds; 0 when closed. */
        final int permitsPerCell;

        final int maxCells;

        private Layout(
                long originNanos,
                double permitsPerSecond,
                double burst,
                Cell[] cells,
                long costFp,
                long windowFp,
                int permitsPerCell,
                int maxCells) {
            this.originNanos = originNanos;
            this.permitsPerSecond = permitsPerSecond;
            this.burst = burst;
            this.closed = cells.length == 0;
            this.cells = cells;
            this.costFp = costFp;
            this.windowFp = windowFp;
            this.permitsPerCell = permitsPerCell;
            this.maxCells = maxCells;
        }

        /** A layout with its origin at {@code nowNanos} and its cells drained then. */
        static Layout create(double permitsPerSecond, double burst, int cellCount, long nowNanos) {
            if (permitsPerSecond == 0) {
                return new Layout(nowNanos, 0, burst, new Cell[0], 0, 0, 0, 0);
            }
            double cellNanos = (double) NANOS_PER_SECOND * cellCount / permitsPerSecond;
            long cost = (long) Math.ceil(cellNanos * ONE_NANO);
            cost += cost & 1L;
            double cellBurst = burst / cellCount;
            long whole = (long) Math.floor(cellBurst);
            long window = evenFloor(whole * cost + (long) Math.floor((cellBurst - whole) * cost));
            Cell[] cells = new Cell[cellCount];
            for (int i = 0; i < cellCount; i++) {
                cells[i] = new Cell(window);
            }
            int permitsPerCell = (int) Math.min(Integer.MAX_VALUE, window / cost);
            return new Layout(nowNanos, permitsPerSecond, burst, cells, cost, window, permitsPerCell, cellLimit(burst));
        }
    }

    /** Left padding: keeps the hot {@code value} off the cache line of the object header and neighbours. */
    abstract static class CellPadBefore {
        long p01, p02, p03, p04, p05, p06, p07;
    }

    abstract static class CellValue extends CellPadBefore {
        volatile long value;
    }

    /** One GCRA cell: its theoretical arrival time, alone on its cache line. */
    static final class Cell extends CellValue {
        static final VarHandle VALUE;

        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(CellValue.class, "value", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long p11, p12, p13, p14, p15, p16, p17;

        Cell(long tat) {
            this.value = tat;
        }

        /** Volatile CAS (the {@code compareAndSet} access mode: full fence semantics). */
        boolean compareAndSet(long expected, long next) {
            return VALUE.compareAndSet(this, expected, next);
        }
    }
}
