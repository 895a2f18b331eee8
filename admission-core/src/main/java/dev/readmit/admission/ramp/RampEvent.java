package dev.readmit.admission.ramp;

/**
 * One transition of one class's ramp: a change of state, of open fraction, or both. Immutable.
 *
 * @param atNanos when it happened, on the plan's clock (the tick's time for timer and health events)
 * @param className the class whose ramp moved
 * @param fromState the state before
 * @param toState the state after
 * @param fromFraction the open fraction before, in [0, 1]
 * @param toFraction the open fraction after, in [0, 1]
 * @param cause what caused it
 * @param actor who: the operator's name for {@link Cause#OPERATOR}, {@link #SYSTEM_ACTOR} otherwise
 * @param detail a human-readable explanation (for example why the gate is red)
 */
public record RampEvent(
        long atNanos,
        String className,
        RampState fromState,
        RampState toState,
        double fromFraction,
        double toFraction,
        Cause cause,
        String actor,
        String detail) {

    /** The actor of events caused by the timer or the health gate. */
    public static final String SYSTEM_ACTOR = "readmit";

    /** True if the open fraction changed. */
    public boolean fractionChanged() {
        return Double.compare(fromFraction, toFraction) != 0;
    }
}
