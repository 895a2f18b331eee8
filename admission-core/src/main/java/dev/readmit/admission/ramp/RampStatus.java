package dev.readmit.admission.ramp;

/**
 * A class's ramp at one moment, for status pages, the admin API and metrics. Immutable.
 *
 * @param className the class
 * @param alwaysOpen true for a class that is never ramped
 * @param state the ramp's state
 * @param openFraction the open fraction, in [0, 1]
 * @param nextFraction the fraction of the next step up; equal to {@code openFraction} at the end of
 *     the shape
 * @param nanosToNextStep green time left before the next step, assuming the gate stays green from
 *     now; {@link Long#MAX_VALUE} when paused or at the end of the shape
 */
public record RampStatus(
        String className,
        boolean alwaysOpen,
        RampState state,
        double openFraction,
        double nextFraction,
        long nanosToNextStep) {}
