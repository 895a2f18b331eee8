package dev.readmit.admission.ramp;

/**
 * One class of a {@link CohortPlan}: its name, its ramp, and where the ramp starts. Immutable.
 *
 * @param name the class name, not blank, unique within a plan
 * @param shape the ramp; may be null only for an always-open class, where it is ignored
 * @param alwaysOpen true for a class that is never ramped (for example restores): every client of
 *     it is eligible, the health gate does not move it, and operators cannot ramp it
 * @param initialFraction the open fraction before the first tick, in [0, 1]; ignored when always
 *     open. Below the shape's first step the first green tick opens to that step.
 */
public record ClassPlan(String name, RampShape shape, boolean alwaysOpen, double initialFraction) {

    /** Validates the fields. */
    public ClassPlan {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("class name must not be blank, got '" + name + "'");
        }
        if (shape == null && !alwaysOpen) {
            throw new IllegalArgumentException("class '" + name + "' needs a ramp shape unless it is always open");
        }
        if (!(initialFraction >= 0.0 && initialFraction <= 1.0)) {
            throw new IllegalArgumentException(
                    "class '" + name + "': initialFraction must be in [0, 1], got " + initialFraction);
        }
    }

    /** A ramped class starting closed. */
    public static ClassPlan ramped(String name, RampShape shape) {
        return new ClassPlan(name, shape, false, 0.0);
    }

    /** A ramped class starting at {@code initialFraction}. */
    public static ClassPlan ramped(String name, RampShape shape, double initialFraction) {
        return new ClassPlan(name, shape, false, initialFraction);
    }

    /** A class that is always open. */
    public static ClassPlan alwaysOpen(String name) {
        return new ClassPlan(name, null, true, 1.0);
    }
}
