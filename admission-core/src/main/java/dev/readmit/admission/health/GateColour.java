package dev.readmit.admission.health;

/**
 * The health gate's verdict on the upstream, derived from {@link HealthThresholds} by {@link
 * HealthSignal}.
 *
 * <ul>
 *   <li>{@link #GREEN}: healthy; ramps may advance.
 *   <li>{@link #AMBER}: strained; ramps hold where they are.
 *   <li>{@link #RED}: overloaded or failing; ramps hold, and step back after the configured time in
 *       red.
 * </ul>
 *
 * <p>The order is from best to worst, so {@code a.compareTo(b) > 0} means {@code a} is worse.
 */
public enum GateColour {
    GREEN,
    AMBER,
    RED;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name for metric labels and status JSON, e.g. {@code amber}. */
    public String label() {
        return label;
    }

    /** The worse of this colour and {@code other}. */
    public GateColour worst(GateColour other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
