package dev.readmit.admission.ramp;

/**
 * Where a class's ramp stands. Every change of state or open fraction is a {@link RampEvent}.
 *
 * <ul>
 *   <li>{@link #RAMPING}: the gate is green and the timer moves the ramp along its shape.
 *   <li>{@link #HOLDING}: the gate turned amber or red; the ramp keeps its fraction and its timer
 *       stops until the gate is green again.
 *   <li>{@link #PAUSED}: an operator paused it; the timer stops whatever the gate says. Red still
 *       steps it back, because protecting the upstream outranks a freeze; {@code resume} ends it.
 *   <li>{@link #ROLLING_BACK}: the health gate stepped it back after a stretch of red; it stays here
 *       (stepping back again after each further stretch of red) until the gate is green, then ramps
 *       again from the lower step.
 *   <li>{@link #OPEN}: it has reached the end of its shape, normally a fraction of 1 (everyone
 *       eligible), or the class is always open. Amber changes nothing here; a stretch of red steps
 *       it back like any other state.
 * </ul>
 */
public enum RampState {
    RAMPING,
    HOLDING,
    PAUSED,
    ROLLING_BACK,
    OPEN;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name for metric labels and status JSON, e.g. {@code rolling_back}. */
    public String label() {
        return label;
    }
}
