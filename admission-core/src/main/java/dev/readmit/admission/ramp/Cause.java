package dev.readmit.admission.ramp;

/** What caused a {@link RampEvent}. */
public enum Cause {
    /** The ramp's own timer: a hold elapsed while the gate was green. */
    TIMER,
    /** The health gate: it changed colour, or stayed red long enough to step the ramp back. */
    HEALTH,
    /** An operator action (pause, resume, advance, rollback, set). */
    OPERATOR,
    /**
     * Demand: while the gate was green, the open cohorts left the new-client rate unused and clients
     * of closed cohorts were asking, so the ramp stepped up before its hold ran out (see {@link
     * CohortPlan#advanceOnDemand}).
     */
    DEMAND;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name for metric labels and logs, e.g. {@code operator}. */
    public String label() {
        return label;
    }
}
