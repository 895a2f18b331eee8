package dev.readmit.gateway.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The ring behind {@code /history}: the last {@code capacity} samples, one per second in the gateway
 * ({@value #FIFTEEN_MINUTES} of them, fifteen minutes), oldest dropped first.
 *
 * <p>Thread safe: the sampler adds, admin requests read; both synchronise on the ring.
 */
public final class StatusHistory {

    /** Fifteen minutes of one sample per second. */
    public static final int FIFTEEN_MINUTES = 900;

    private final int capacity;
    private final ArrayDeque<StatusSample> ring;

    /** @param capacity how many samples are kept, at least 1 */
    public StatusHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    public synchronized void add(StatusSample sample) {
        if (ring.size() == capacity) {
            ring.pollFirst();
        }
        ring.addLast(sample);
    }

    /** Every sample held, oldest first; a copy. */
    public synchronized List<StatusSample> samples() {
        return new ArrayList<>(ring);
    }

    public int capacity() {
        return capacity;
    }
}
