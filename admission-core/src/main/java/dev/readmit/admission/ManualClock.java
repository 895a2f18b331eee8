package dev.readmit.admission;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link NanoClock} that moves only when told to, for deterministic tests and simulations.
 *
 * <p>Thread safe: readings and advances are atomic. It refuses to go backwards, so code under test
 * can rely on the same monotonicity as {@link System#nanoTime()}.
 */
public final class ManualClock implements NanoClock {

    private final AtomicLong nanos;

    /** A clock that starts at {@code startNanos}. */
    public ManualClock(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    /** A clock that starts at zero. */
    public ManualClock() {
        this(0L);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves the clock forward by {@code deltaNanos} (at least zero) and returns the new time. */
    public long advanceNanos(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("a ManualClock only moves forward, got deltaNanos=" + deltaNanos);
        }
        return nanos.addAndGet(deltaNanos);
    }

    /** Moves the clock forward by {@code delta} and returns the new time in nanoseconds. */
    public long advance(Duration delta) {
        return advanceNanos(delta.toNanos());
    }

    /** Sets the clock to {@code timeNanos}, which must not be earlier than the current time. */
    public void setNanos(long timeNanos) {
        long current = nanos.get();
        if (timeNanos < current) {
            throw new IllegalArgumentException(
                    "a ManualClock only moves forward: now=" + current + ", asked for " + timeNanos);
        }
        nanos.set(timeNanos);
    }
}
