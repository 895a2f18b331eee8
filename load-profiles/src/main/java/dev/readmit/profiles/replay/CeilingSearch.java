package dev.readmit.profiles.replay;

import java.util.function.DoublePredicate;

/**
 * Finds the highest offered rate that a probe passes, in a bounded number of probes: the rate grows by
 * a factor from a start until a probe fails, then the bracket between the last pass and the first fail
 * is halved (geometrically) until it is narrower than the precision or the probes run out.
 *
 * <p>A machine shared with other work fails a probe now and then for reasons of its own; a failing
 * rate is therefore probed again (up to {@code confirmations} more times) and counts as failed only if
 * every try failed. A passing probe is never repeated: passing is the hard direction.
 *
 * <p>Stateless; {@link #search} calls the probe on the calling thread, one rate at a time.
 */
public final class CeilingSearch {
    private CeilingSearch() {}

    /**
     * The outcome of a search.
     *
     * @param ceiling the highest rate that passed, per second; 0 if none did
     * @param lowestFailed the lowest rate that failed, per second; {@code NaN} if none did (the search
     *     stopped at the maximum rate or ran out of probes while growing)
     * @param probes probes run, confirmations included
     */
    public record Result(double ceiling, double lowestFailed, int probes) {}

    /**
     * Searches for the ceiling.
     *
     * @param startPerSecond first rate probed, positive
     * @param maxPerSecond highest rate probed, at least {@code startPerSecond}
     * @param growth factor between rates while no probe failed, greater than 1
     * @param precision stop when the lowest failing rate is within this fraction above the ceiling
     *     (0.05: 5%), positive
     * @param maxProbes most probes run, confirmations included, at least 1
     * @param confirmations extra tries of a failing rate before it counts as failed, at least 0
     * @param passes runs one probe at the given rate and tells whether it passed
     * @throws IllegalArgumentException naming the first argument out of range
     */
    public static Result search(
            double startPerSecond,
            double maxPerSecond,
            double growth,
            double precision,
            int maxProbes,
            int confirmations,
            DoublePredicate passes) {
        check(startPerSecond > 0, "startPerSecond", startPerSecond, "> 0");
        check(maxPerSecond >= startPerSecond, "maxPerSecond", maxPerSecond, ">= startPerSecond");
        check(growth > 1, "growth", growth, "> 1");
        check(precision > 0, "precision", precision, "> 0");
        check(maxProbes >= 1, "maxProbes", maxProbes, ">= 1");
        check(confirmations >= 0, "confirmations", confirmations, ">= 0");
        double ceiling = 0;
        double failed = Double.NaN;
        int probes = 0;
        double rate = startPerSecond;
        while (probes < maxProbes) {
            boolean passed = false;
            for (int t = 0; t <= confirmations && probes < maxProbes && !passed; t++) {
                probes++;
                passed = passes.test(rate);
            }
            if (passed) {
                ceiling = rate;
            } else {
                failed = rate;
            }
            if (Double.isNaN(failed)) {
                if (rate >= maxPerSecond) {
                    break;
                }
                rate = Math.min(maxPerSecond, rate * growth);
            } else {
                if (ceiling == 0 || failed <= ceiling * (1 + precision)) {
                    break;
                }
                rate = Math.sqrt(ceiling * failed);
            }
        }
        return new Result(ceiling, failed, probes);
    }

    private static void check(boolean ok, String name, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(name + " is " + value + "; allowed: " + allowed);
        }
    }
}
