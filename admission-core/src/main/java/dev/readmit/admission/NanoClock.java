package dev.readmit.admission;

/**
 * A source of monotonic time in nanoseconds, injected wherever admission logic needs "now".
 *
 * <p>Only differences between two readings are meaningful, as with {@link System#nanoTime()}.
 * Implementations must be thread safe and must never go backwards for a single reader.
 * Production code uses {@link #system()}; tests use {@link ManualClock}, so no test sleeps.
 */
@FunctionalInterface
public interface NanoClock {

    /** Returns the current time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** The JVM's monotonic clock, {@link System#nanoTime()}. */
    static NanoClock system() {
        return SystemNanoClock.INSTANCE;
    }
}
