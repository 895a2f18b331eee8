package dev.readmit.admission.ramp;

import java.time.Duration;

/**
 * Plan-wide ramp settings. Immutable.
 *
 * @param redHoldBeforeStepBack how long the gate must stay red, continuously, before a ramp steps
 *     back one step (and again after each further stretch this long); positive; default 5 s: long
 *     enough that one bad health window (1 s by default) or a GC pause does not undo minutes of
 *     ramping, short enough that an upstream in trouble sheds new clients within seconds
 * @param eventHistory how many recent events {@link CohortPlan#recentEvents} keeps, in [1,
 *     100,000]; default 1,000
 */
public record RampPolicy(Duration redHoldBeforeStepBack, int eventHistory) {

    /** Validates the fields. */
    public RampPolicy {
        if (redHoldBeforeStepBack == null || redHoldBeforeStepBack.isZero() || redHoldBeforeStepBack.isNegative()) {
            throw new IllegalArgumentException(
                    "redHoldBeforeStepBack must be a positive duration, got " + redHoldBeforeStepBack);
        }
        if (eventHistory < 1 || eventHistory > 100_000) {
            throw new IllegalArgumentException("eventHistory must be in [1, 100000], got " + eventHistory);
        }
    }

    /** Red hold 5 s, 1,000 events of history. */
    public static RampPolicy ofDefaults() {
        return new RampPolicy(Duration.ofSeconds(5), 1_000);
    }

    /** The defaults with another red hold. */
    public static RampPolicy withRedHold(Duration redHoldBeforeStepBack) {
        return new RampPolicy(redHoldBeforeStepBack, ofDefaults().eventHistory());
    }
}
