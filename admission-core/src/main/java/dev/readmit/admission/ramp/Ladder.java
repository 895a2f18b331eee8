package dev.readmit.admission.ramp;

import java.util.Arrays;
import java.util.List;

/** A {@link RampShape}'s steps as arrays, with prefix sums of the holds for wait estimates. Immutable. */
final class Ladder {

    private final double[] fractions;
    private final long[] holdNanos;
    /** prefixHoldNanos[i] = holdNanos[0] + ... + holdNanos[i - 1], saturating. */
    private final long[] prefixHoldNanos;

    Ladder(List<RampShape.Step> steps) {
        int n = steps.size();
        fractions = new double[n];
        holdNanos = new long[n];
        prefixHoldNanos = new long[n + 1];
        for (int i = 0; i < n; i++) {
            fractions[i] = steps.get(i).fraction();
            holdNanos[i] = saturatedNanos(steps.get(i).hold());
            prefixHoldNanos[i + 1] = saturatedAdd(prefixHoldNanos[i], holdNanos[i]);
        }
    }

    private static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    double end() {
        return fractions[fractions.length - 1];
    }

    /** Index of the highest step whose fraction is at most {@code f}, or -1 below the first. */
    int stepAtOrBelow(double f) {
        int i = Arrays.binarySearch(fractions, f);
        return i >= 0 ? i : -i - 2;
    }

    /** True if a step above {@code f} exists. */
    boolean hasNext(double f) {
        return stepAtOrBelow(f) < fractions.length - 1;
    }

    /** The next step's fraction above {@code f}; only when {@link #hasNext}. */
    double next(double f) {
        return fractions[stepAtOrBelow(f) + 1];
    }

    /** How long {@code f} is held before the next step: its step's hold, or 0 below the first step. */
    long holdNanos(double f) {
        int i = stepAtOrBelow(f);
        return i < 0 ? 0L : holdNanos[i];
    }

    /** The highest step strictly below {@code f}, or 0 when there is none. */
    double previous(double f) {
        int i = Arrays.binarySearch(fractions, f);
        int below = i >= 0 ? i - 1 : -i - 2;
        return below < 0 ? 0.0 : fractions[below];
    }

    /**
     * Green time until a client at {@code position} becomes eligible, from fraction {@code f} with
     * {@code greenNanos} already held at it. Long.MAX_VALUE if the ramp never gets there.
     */
    long nanosUntil(double position, double f, long greenNanos) {
        if (position < f) {
            return 0L;
        }
        if (!(position < end())) {
            return Long.MAX_VALUE;
        }
        int i = Arrays.binarySearch(fractions, position);
        int target = i >= 0 ? i + 1 : -i - 1;
        int current = stepAtOrBelow(f);
        long remaining = Math.max(0L, holdNanos(f) - greenNanos);
        long between = prefixHoldNanos[target] - prefixHoldNanos[current + 1];
        return saturatedAdd(remaining, between);
    }
}
