package dev.readmit.gateway.admin;

import dev.readmit.admission.ramp.RampEvent;
import dev.readmit.admission.ramp.RampListener;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The bounded ring behind {@code /events}: ramp transitions and operator actions, the oldest dropped
 * first once {@code capacity} is reached.
 *
 * <p>Thread safe: writers (the ticker's ramp listener, admin requests) and readers synchronise on
 * the ring. Nothing on the request path touches it.
 */
public final class AdminEvents {

    /** The default capacity. */
    public static final int DEFAULT_CAPACITY = 500;

    private final int capacity;
    private final InstantSource wall;
    private final ArrayDeque<AdminEvent> ring;

    /**
     * @param capacity how many events are kept, at least 1
     * @param wall the clock that stamps events
     */
    public AdminEvents(int capacity, InstantSource wall) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.wall = wall;
        this.ring = new ArrayDeque<>(capacity);
    }

    /** Records an event now. */
    public void record(
            String kind,
            String who,
            String from,
            String action,
            String className,
            String before,
            String after,
            String detail) {
        add(new AdminEvent(
                wall.millis(),
                kind,
                nonNull(who),
                nonNull(from),
                nonNull(action),
                nonNull(className),
                nonNull(before),
                nonNull(after),
                nonNull(detail)));
    }

    private synchronized void add(AdminEvent event) {
        if (ring.size() == capacity) {
            ring.pollFirst();
        }
        ring.addLast(event);
    }

    /** Up to {@code max} events, newest first; a copy. */
    public synchronized List<AdminEvent> newestFirst(int max) {
        List<AdminEvent> out = new ArrayList<>(Math.min(Math.max(0, max), ring.size()));
        for (Iterator<AdminEvent> it = ring.descendingIterator(); it.hasNext() && out.size() < max; ) {
            out.add(it.next());
        }
        return out;
    }

    /** Events held now. */
    public synchronized int size() {
        return ring.size();
    }

    /** A listener that records every ramp transition of a plan as a {@link AdminEvent#RAMP} event. */
    public RampListener rampListener() {
        return this::recordRamp;
    }

    private void recordRamp(RampEvent e) {
        record(
                AdminEvent.RAMP,
                e.actor(),
                "",
                e.cause().label(),
                e.className(),
                e.fromState().label() + " " + percent(e.fromFraction()),
                e.toState().label() + " " + percent(e.toFraction()),
                e.detail());
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
