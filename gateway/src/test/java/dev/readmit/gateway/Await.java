package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** Waits for a condition another thread makes true, failing the test instead of hanging it. */
public final class Await {

    private static final long LIMIT_NANOS = 20_000_000_000L;

    private Await() {}

    /** Spins until {@code condition} holds; fails after 20 s (a generous bound, not a timing assertion). */
    public static void until(String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > LIMIT_NANOS) {
                fail("gave up waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }
}
