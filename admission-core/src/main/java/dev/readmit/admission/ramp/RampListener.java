package dev.readmit.admission.ramp;

/**
 * Receives every {@link RampEvent} of a {@link CohortPlan}, in order.
 *
 * <p>Called on the thread that caused the transition (the ticker or an admin thread) while the
 * plan's control lock is held, so events of one plan arrive one at a time and in order. Keep it
 * short and never block (log, count, enqueue). An exception thrown here is caught and logged; it
 * neither stops the ramp nor keeps the event from other listeners.
 */
@FunctionalInterface
public interface RampListener {

    /** Called once per transition. */
    void onEvent(RampEvent event);
}
