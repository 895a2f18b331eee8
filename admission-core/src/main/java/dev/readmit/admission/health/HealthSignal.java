package dev.readmit.admission.health;

import dev.readmit.admission.NanoClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The upstream's health as seen by the gateway: windowed latency percentiles, error and timeout rate,
 * request rate, the concurrency limiter's state, and the {@link GateColour} derived from {@link
 * HealthThresholds}.
 *
 * <p>Writers ({@link #recordSuccess}, {@link #recordError}, {@link #recordTimeout}) come from every
 * event loop and never wait: each outcome goes into an HdrHistogram {@link Recorder} (one per kind of
 * outcome), whose writers are wait-free. {@link #evaluate} is called periodically, typically by one
 * ticker every 100 ms; each call swaps out the interval histograms recorded since the previous call
 * (a slice) and computes the verdict over the slices that ended within the last {@code window}, so
 * the verdict moves every tick while always looking at about one window of data. A slice that
 * started before the window but ended inside it counts whole; calls closer together than a
 * twentieth of the window extend the last slice, so memory stays bounded however often it is called. {@code evaluate} is synchronized and
 * allocates only the snapshot; it is cheap (adding a few histograms of about 3,000 counters).
 *
 * <p>When no {@link HealthThresholds#baselineP99()} is configured, the signal learns the upstream's
 * healthy p99 itself ({@link #baselineP99Nanos()}): outcomes of slices in which the upstream was
 * unstrained (no error, no timeout, no limiter refusal) are gathered into epochs of {@link
 * HealthThresholds#learnBaselineSamples()} outcomes; the first epoch's p99 is the baseline, a lower
 * epoch p99 pulls it down by half the difference, a higher one lifts it by a thousandth of the
 * difference. A slow-moving minimum, as the gradient limit's long window is: a storm's first seconds,
 * at low load, teach it the healthy latency, and hours of a service held at 1.25 times its baseline
 * by the gate itself do not teach it that this is normal. An upstream that really became slower (a
 * new release) is re-learnt over about a thousand epochs, or told with {@code baselineP99}.
 *
 * <p>{@link #colour()} and {@link #lastSnapshot()} are single volatile reads for the hot path.
 * Latencies are tracked from 1 µs to 1 hour with two significant digits (1 % precision); slower
 * outcomes are recorded as one hour, negative ones as zero.
 */
public final class HealthSignal {

    static final long LOWEST_NANOS = 1_000L;
    static final long HIGHEST_NANOS = Duration.ofHours(1).toNanos();
    private static final int DIGITS = 2;
    private static final int MAX_SLICES_PER_WINDOW = 20;

    /** Outcomes from which the gate judges the window's true p99 (see {@link #judgedPercentile}). */
    static final long JUDGED_P99_FULL_FROM = 100;

    /** Share of the difference a lower epoch p99 pulls the learned baseline down by. */
    static final double LEARN_FALL = 0.5;

    /** Share of the difference a higher epoch p99 lifts the learned baseline by. */
    static final double LEARN_RISE = 0.001;

    private final NanoClock clock;
    private final ConcurrencyLimiter limiter;
    private final Recorder successes = newRecorder();
    private final Recorder errors = newRecorder();
    private final Recorder timeouts = newRecorder();

    // Guarded by this (evaluate is synchronized).
    private Histogram recycledSuccesses;
    private Histogram recycledErrors;
    private Histogram recycledTimeouts;
    private final ArrayDeque<Slice> slices = new ArrayDeque<>();
    private final ArrayDeque<Slice> spareSlices = new ArrayDeque<>();
    private final Histogram windowHistogram = newHistogram();
    private long sliceStartNanos;
    private long lastAcquired;
    private long lastRejected;
    private long betterSinceNanos = -1;
    private Histogram learning;

    private volatile long learnedBaselineNanos;

    private volatile HealthThresholds thresholds;
    private volatile HealthSnapshot lastSnapshot;
    private volatile GateColour colour = GateColour.GREEN;

    private HealthSignal(HealthThresholds thresholds, NanoClock clock, ConcurrencyLimiter limiter) {
        this.thresholds = thresholds;
        this.clock = clock;
        this.limiter = limiter;
        this.sliceStartNanos = clock.nanoTime();
        this.lastSnapshot = HealthSnapshot.initial(sliceStartNanos);
        if (limiter != null) {
            lastAcquired = limiter.acquiredCount();
            lastRejected = limiter.rejectedCount();
        }
    }

    /** A signal with no concurrency limiter attached (snapshots report limit and in-flight as 0). */
    public static HealthSignal create(HealthThresholds thresholds, NanoClock clock) {
        return create(thresholds, clock, null);
    }

    /**
     * A signal that also reports {@code limiter}'s limit, in-flight count and refusals, and turns
     * amber when it refuses too many (see {@link HealthThresholds#amberRejectedRate()}).
     *
     * @param limiter may be null for none
     */
    public static HealthSignal create(HealthThresholds thresholds, NanoClock clock, ConcurrencyLimiter limiter) {
        if (thresholds == null) {
            throw new IllegalArgumentException("thresholds must not be null; use HealthThresholds.ofDefaults()");
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null; use NanoClock.system()");
        }
        return new HealthSignal(thresholds, clock, limiter);
    }

    /** Records an upstream answer that was not an error. Wait-free, allocation-free. */
    public void recordSuccess(long latencyNanos) {
        successes.recordValue(clamp(latencyNanos));
    }

    /** Records an upstream error: a 5xx answer or a reset connection. Wait-free, allocation-free. */
    public void recordError(long latencyNanos) {
        errors.recordValue(clamp(latencyNanos));
    }

    /** Records an upstream timeout; {@code latencyNanos} is how long was waited. Wait-free, allocation-free. */
    public void recordTimeout(long latencyNanos) {
        timeouts.recordValue(clamp(latencyNanos));
    }

    private static long clamp(long latencyNanos) {
        return latencyNanos < 0 ? 0 : Math.min(latencyNanos, HIGHEST_NANOS);
    }

    /** As {@link #evaluate(long)} at the signal's clock's current time. */
    public HealthSnapshot evaluate() {
        return evaluate(clock.nanoTime());
    }

    /**
     * Closes the slice recorded since the previous call, recomputes the window's statistics and the
     * gate colour, publishes them and returns them. {@code nowNanos} must come from the same clock
     * as the signal's; a time earlier than the previous call is treated as the previous call's time.
     */
    public synchronized HealthSnapshot evaluate(long nowNanos) {
        HealthThresholds t = thresholds;
        long now = Math.max(nowNanos, sliceStartNanos);
        long windowNanos = t.window().toNanos();
        closeSlice(now, windowNanos, t.learnsBaseline(), t.learnBaselineSamples());
        while (!slices.isEmpty() && slices.peekFirst().endNanos <= now - windowNanos) {
            spareSlices.addLast(slices.pollFirst());
        }
        windowHistogram.reset();
        long errorCount = 0;
        long timeoutCount = 0;
        long acquired = 0;
        long rejected = 0;
        long windowStart = now;
        for (Iterator<Slice> it = slices.iterator(); it.hasNext(); ) {
            Slice slice = it.next();
            windowHistogram.add(slice.histogram);
            errorCount += slice.errors;
            timeoutCount += slice.timeouts;
            acquired += slice.acquired;
            rejected += slice.rejected;
            windowStart = Math.min(windowStart, slice.startNanos);
        }
        long requests = windowHistogram.getTotalCount();
        long span = now - windowStart;
        double errorRate = requests == 0 ? 0.0 : (double) (errorCount + timeoutCount) / requests;
        double perSecond = span <= 0 ? 0.0 : requests * 1e9 / span;
        long p50 = requests == 0 ? 0 : windowHistogram.getValueAtPercentile(50.0);
        long p99 = requests == 0 ? 0 : windowHistogram.getValueAtPercentile(99.0);
        long p999 = requests == 0 ? 0 : windowHistogram.getValueAtPercentile(99.9);
        long max = requests == 0 ? 0 : windowHistogram.getMaxValue();
        double rejectedRate = acquired + rejected == 0 ? 0.0 : (double) rejected / (acquired + rejected);

        long baseline = baselineNanos(t);
        long judgedP99 = requests < JUDGED_P99_FULL_FROM
                ? windowHistogram.getValueAtPercentile(judgedPercentile(requests))
                : p99;
        Verdict raw = judge(t, requests, errorRate, judgedP99, rejectedRate, baseline);
        GateColour published = colour;
        String reason = raw.reason;
        if (raw.colour.compareTo(published) >= 0) {
            published = raw.colour;
            betterSinceNanos = -1;
        } else {
            if (betterSinceNanos < 0) {
                betterSinceNanos = now;
            }
            long better = now - betterSinceNanos;
            if (better >= t.recoveryHold().toNanos()) {
                published = raw.colour;
                betterSinceNanos = -1;
            } else {
                reason = "staying " + published.label() + " until " + raw.colour.label() + " has lasted "
                        + t.recoveryHold().toMillis() + " ms (" + better / 1_000_000 + " ms so far): " + raw.reason;
            }
        }
        HealthSnapshot snapshot = new HealthSnapshot(
                now,
                span,
                requests,
                errorCount,
                timeoutCount,
                errorRate,
                perSecond,
                p50,
                p99,
                p999,
                max,
                limiter == null ? 0 : limiter.limit(),
                limiter == null ? 0 : limiter.inFlight(),
                rejectedRate,
                published,
                reason);
        lastSnapshot = snapshot;
        colour = published;
        return snapshot;
    }

    private void closeSlice(long now, long windowNanos, boolean learnsBaseline, int learnSamples) {
        recycledSuccesses = successes.getIntervalHistogram(recycledSuccesses);
        recycledErrors = errors.getIntervalHistogram(recycledErrors);
        recycledTimeouts = timeouts.getIntervalHistogram(recycledTimeouts);
        // Called more often than every window / 20, slices are extended rather than added, so memory
        // stays at about twenty histograms however eager the caller is.
        Slice slice = slices.peekLast();
        if (slice == null || slice.endNanos - slice.startNanos >= windowNanos / MAX_SLICES_PER_WINDOW) {
            slice = spareSlices.isEmpty() ? new Slice() : spareSlices.pollFirst();
            slice.histogram.reset();
            slice.errors = 0;
            slice.timeouts = 0;
            slice.acquired = 0;
            slice.rejected = 0;
            slice.startNanos = sliceStartNanos;
            slices.addLast(slice);
        }
        slice.histogram.add(recycledSuccesses);
        slice.histogram.add(recycledErrors);
        slice.histogram.add(recycledTimeouts);
        slice.errors += recycledErrors.getTotalCount();
        slice.timeouts += recycledTimeouts.getTotalCount();
        slice.endNanos = now;
        long refused = 0;
        if (limiter != null) {
            long acquiredNow = limiter.acquiredCount();
            long rejectedNow = limiter.rejectedCount();
            refused = rejectedNow - lastRejected;
            slice.acquired += acquiredNow - lastAcquired;
            slice.rejected += refused;
            lastAcquired = acquiredNow;
            lastRejected = rejectedNow;
        }
        sliceStartNanos = now;
        if (learnsBaseline
                && refused == 0
                && recycledErrors.getTotalCount() == 0
                && recycledTimeouts.getTotalCount() == 0) {
            learn(recycledSuccesses, learnSamples);
        }
    }

    /** Adds an unstrained slice's successes to the epoch; a full epoch moves the learned baseline. */
    private void learn(Histogram unstrained, int epochSamples) {
        if (unstrained.getTotalCount() == 0) {
            return;
        }
        if (learning == null) {
            learning = newHistogram();
        }
        learning.add(unstrained);
        if (learning.getTotalCount() < epochSamples) {
            return;
        }
        long epochP99 = learning.getValueAtPercentile(99.0);
        learning.reset();
        long learned = learnedBaselineNanos;
        if (learned == 0) {
            learned = epochP99;
        } else if (epochP99 < learned) {
            learned += (long) ((epochP99 - learned) * LEARN_FALL);
        } else {
            learned += (long) Math.ceil((epochP99 - learned) * LEARN_RISE);
        }
        learnedBaselineNanos = Math.max(1, learned);
    }

    /**
     * The baseline p99 the gate judges against now, in nanoseconds: the configured {@link
     * HealthThresholds#baselineP99()} when set, else the learned one, 0 while none is known. One
     * volatile read.
     */
    public long baselineP99Nanos() {
        return baselineNanos(thresholds);
    }

    private long baselineNanos(HealthThresholds t) {
        if (t.hasBaseline()) {
            return t.baselineP99().toNanos();
        }
        return t.learnsBaseline() ? learnedBaselineNanos : 0;
    }

    /** The baseline p99 learned from the upstream so far, nanoseconds, 0 before the first epoch. */
    public long learnedBaselineP99Nanos() {
        return learnedBaselineNanos;
    }

    int sliceCount() {
        return slices.size();
    }

    /**
     * The percentile of the window's latencies the gate judges: the p99 from {@value
     * #JUDGED_P99_FULL_FROM} outcomes on; below that the p99 of a window is its slowest outcome, so
     * the gate judges the second slowest instead, and one slow request alone (a large download, a cold
     * cache) does not turn it red while traffic is low. At and above {@value #JUDGED_P99_FULL_FROM}
     * outcomes both are the same rank.
     *
     * @param requests outcomes in the window, at least 1
     */
    static double judgedPercentile(long requests) {
        if (requests < 2) {
            return 100.0;
        }
        // Rank n - 1 of n: HdrHistogram takes the ceiling of percentile * n, and n - 1.5 keeps clear
        // of the rounding on either side.
        return Math.min(99.0, 100.0 * (requests - 1.5) / requests);
    }

    static Verdict judge(
            HealthThresholds t,
            long requests,
            double errorRate,
            long p99Nanos,
            double rejectedRate,
            long baselineNanos) {
        if (requests < t.minRequests()) {
            return new Verdict(
                    GateColour.GREEN,
                    "too few requests to judge (" + requests + " < minRequests " + t.minRequests() + ")");
        }
        GateColour colour = GateColour.GREEN;
        StringBuilder why = new StringBuilder();
        String p99 = requests >= JUDGED_P99_FULL_FROM
                ? "p99 "
                : requests == 1 ? "p99 (the only outcome) " : "p99 (second slowest of " + requests + ") ";
        if (p99Nanos > t.redP99().toNanos()) {
            colour = colour.worst(GateColour.RED);
            append(
                    why,
                    p99 + millis(p99Nanos) + " ms > redP99 " + millis(t.redP99().toNanos()) + " ms");
        } else if (p99Nanos > t.amberP99().toNanos()) {
            colour = colour.worst(GateColour.AMBER);
            append(
                    why,
                    p99 + millis(p99Nanos) + " ms > amberP99 "
                            + millis(t.amberP99().toNanos()) + " ms");
        }
        if (baselineNanos > 0) {
            double ratio = (double) p99Nanos / baselineNanos;
            if (ratio > t.redP99OverBaseline()) {
                colour = colour.worst(GateColour.RED);
                append(
                        why,
                        p99 + overBaseline(t, ratio, baselineNanos) + "redP99OverBaseline " + t.redP99OverBaseline());
            } else if (ratio > t.amberP99OverBaseline()) {
                colour = colour.worst(GateColour.AMBER);
                append(
                        why,
                        p99 + overBaseline(t, ratio, baselineNanos) + "amberP99OverBaseline "
                                + t.amberP99OverBaseline());
            }
        }
        if (errorRate > t.redErrorRate()) {
            colour = colour.worst(GateColour.RED);
            append(why, "error rate " + percent(errorRate) + " > redErrorRate " + percent(t.redErrorRate()));
        } else if (errorRate > t.amberErrorRate()) {
            colour = colour.worst(GateColour.AMBER);
            append(why, "error rate " + percent(errorRate) + " > amberErrorRate " + percent(t.amberErrorRate()));
        }
        if (rejectedRate > t.amberRejectedRate()) {
            colour = colour.worst(GateColour.AMBER);
            append(
                    why,
                    "limiter refused " + percent(rejectedRate) + " > amberRejectedRate "
                            + percent(t.amberRejectedRate()));
        }
        if (why.length() == 0) {
            why.append("within thresholds (")
                    .append(p99)
                    .append(millis(p99Nanos))
                    .append(" ms, error rate ")
                    .append(percent(errorRate))
                    .append(')');
        }
        return new Verdict(colour, why.toString());
    }

    private static void append(StringBuilder why, String part) {
        if (why.length() > 0) {
            why.append("; ");
        }
        why.append(part);
    }

    private static String overBaseline(HealthThresholds t, double ratio, long baselineNanos) {
        return fixed(ratio, 2) + "x " + (t.hasBaseline() ? "" : "learned ") + "baseline " + millis(baselineNanos)
                + " ms > ";
    }

    // The reasons are built on every tick (ten a second): plain arithmetic, not String.format, whose
    // parsing of the pattern showed in the profile of a gateway pinned to one core (issue 3).

    private static String millis(long nanos) {
        return fixed(nanos / 1e6, 1);
    }

    private static String percent(double rate) {
        return fixed(rate * 100.0, 2) + "%";
    }

    /**
     * A non-negative {@code value} with {@code decimals} digits after the point, exactly as {@code
     * String.format(Locale.ROOT, "%.<decimals>f", value)} writes it (both round the shortest decimal
     * form of the double half up), without parsing a pattern.
     */
    static String fixed(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new java.math.BigDecimal(Double.toString(value))
                .setScale(decimals, java.math.RoundingMode.HALF_UP)
                .toPlainString();
    }

    /** The colour of the last {@link #evaluate}; green before the first. One volatile read. */
    public GateColour colour() {
        return colour;
    }

    /** The snapshot of the last {@link #evaluate}. One volatile read. */
    public HealthSnapshot lastSnapshot() {
        return lastSnapshot;
    }

    /** The thresholds in force. */
    public HealthThresholds thresholds() {
        return thresholds;
    }

    /** Replaces the thresholds; the next {@link #evaluate} uses them. Safe from any thread. */
    public void updateThresholds(HealthThresholds newThresholds) {
        if (newThresholds == null) {
            throw new IllegalArgumentException("thresholds must not be null");
        }
        thresholds = newThresholds;
    }

    private static Recorder newRecorder() {
        return new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    }

    private static Histogram newHistogram() {
        return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    }

    record Verdict(GateColour colour, String reason) {}

    private static final class Slice {
        final Histogram histogram = newHistogram();
        long startNanos;
        long endNanos;
        long errors;
        long timeouts;
        long acquired;
        long rejected;
    }
}
