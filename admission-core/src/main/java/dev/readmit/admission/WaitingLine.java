package dev.readmit.admission;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clients that wait, each with a line number, so a waiting client is told its place and sees it
 * shrink as the line moves.
 *
 * <p>A client that first waits draws the next number. Its place is its number minus the number of
 * waiters that have left the line since (admitted, or forgotten after {@code forgetAfter} without
 * asking again), at least 1 and at most the line's length. Places are estimates: a waiter that left
 * early lowers everyone's place by one, as it would in a real line.
 *
 * <p>Only waiting clients pass through here, never admitted ones, so this is a bounded Caffeine
 * cache (a structure that wins where it is not on every request's path). Thread safe.
 */
final class WaitingLine {

    private final AtomicLong issued = new AtomicLong();
    private final LongAdder left = new LongAdder();
    private final Cache<Long, Long> numbers;

    WaitingLine(long maxWaiting, Duration forgetAfter, NanoClock clock, Executor maintenance) {
        this.numbers = Caffeine.newBuilder()
                .maximumSize(maxWaiting)
                .expireAfterAccess(forgetAfter)
                .ticker(clock::nanoTime)
                .executor(maintenance)
                .<Long, Long>removalListener((key, value, cause) -> left.increment())
                .build();
    }

    /** The place of this client, drawing a number for it if it is new to the line. */
    long placeOf(long clientHash) {
        return place(numbers.get(clientHash, key -> issued.incrementAndGet()));
    }

    /** The place of this client if it is in the line, else 0; it does not join. */
    long placeIfWaiting(long clientHash) {
        Long number = numbers.getIfPresent(clientHash);
        return number == null ? 0 : place(number);
    }

    private long place(long number) {
        long length = Math.max(1, numbers.estimatedSize());
        return Math.min(length, Math.max(1, number - left.sum()));
    }

    /** The client was admitted: it leaves the line. */
    void leave(long clientHash) {
        if (numbers.estimatedSize() == 0) {
            // Nobody waits (the usual case outside a storm): skip the boxed key and the cache's removal.
            return;
        }
        numbers.invalidate(clientHash);
    }

    /** Clients now in the line (estimate, as Caffeine's size is). */
    long size() {
        return numbers.estimatedSize();
    }

    /** Applies pending expiry; called by the controller's periodic tick. */
    void cleanUp() {
        numbers.cleanUp();
    }
}
