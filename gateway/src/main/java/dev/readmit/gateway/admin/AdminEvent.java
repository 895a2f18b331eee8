package dev.readmit.gateway.admin;

/**
 * One entry of the admin API's {@code /events}: a ramp transition or an operator action. Immutable.
 *
 * @param atMillis when it was recorded, milliseconds since the epoch
 * @param kind {@code ramp} (a class's ramp moved) or {@code operator} (an admin request changed something)
 * @param who the operator ({@code admin}, or the {@code X-Readmit-Operator} name); for ramp events the
 *     actor ({@code readmit} for the timer and the health gate)
 * @param from the remote address of the admin request; empty for ramp events
 * @param action what happened: {@code pause}, {@code rate}, {@code reload}... for operator actions; the
 *     cause ({@code timer}, {@code health}, {@code operator}) for ramp events
 * @param className the class concerned, or empty when none or all
 * @param before the value before, as text
 * @param after the value after, as text
 * @param detail a human explanation, possibly empty
 */
public record AdminEvent(
        long atMillis,
        String kind,
        String who,
        String from,
        String action,
        String className,
        String before,
        String after,
        String detail) {

    /** {@link #kind()} of a ramp transition. */
    public static final String RAMP = "ramp";

    /** {@link #kind()} of an operator action. */
    public static final String OPERATOR = "operator";
}
