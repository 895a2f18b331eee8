package dev.readmit.admission.ramp;

import dev.readmit.admission.NanoClock;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The ordered classes of a readmission and each one's {@link ClassRamp}.
 *
 * <p>The gateway's ticker calls {@link #tick} periodically (about every 100 ms) with the health
 * gate's colour: while green every ramp's timer runs and moves it along its shape; amber holds
 * them; after {@link RampPolicy#redHoldBeforeStepBack()} of continuous red each steps back one step
 * (and again after every further stretch of red). Operators act on a class through its {@link
 * ClassRamp}. Every transition is a {@link RampEvent} delivered to the listeners and kept in a
 * bounded history.
 *
 * <p>Thread safety: all transitions of all classes run under one control lock (a {@link
 * ReentrantLock}), so a tick on the ticker thread and operator actions on admin threads are
 * serialised, and listeners see the events of one plan in order. The hot-path reads ({@link
 * ClassRamp#openFraction()}, {@link ClassRamp#isEligible}, {@link #classIndex}) take no lock.
 * Listeners run under the control lock; see {@link RampListener}.
 */
public final class CohortPlan {

    private static final System.Logger LOG = System.getLogger(CohortPlan.class.getName());

    private final RampPolicy policy;
    private final NanoClock clock;
    private final List<ClassRamp> ramps;
    private final Map<String, Integer> indexByName;
    private final ReentrantLock control = new ReentrantLock();
    private final CopyOnWriteArrayList<RampListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerFailures = new AtomicLong();

    // Guarded by control.
    private final ArrayDeque<RampEvent> history = new ArrayDeque<>();

    private CohortPlan(List<ClassPlan> classes, RampPolicy policy, NanoClock clock) {
        this.policy = policy;
        this.clock = clock;
        long now = clock.nanoTime();
        List<ClassRamp> built = new ArrayList<>(classes.size());
        Map<String, Integer> index = new HashMap<>();
        for (ClassPlan plan : classes) {
            index.put(plan.name(), built.size());
            built.add(new ClassRamp(this, plan, now));
        }
        this.ramps = List.copyOf(built);
        this.indexByName = Map.copyOf(index);
    }

    /**
     * A plan for {@code classes}, in priority order (first match wins when classifying requests).
     *
     * @throws IllegalArgumentException if {@code classes} is empty, holds null or repeats a name
     */
    public static CohortPlan create(List<ClassPlan> classes, RampPolicy policy, NanoClock clock) {
        if (classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("classes must list at least one class");
        }
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null; use RampPolicy.ofDefaults()");
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null; use NanoClock.system()");
        }
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            ClassPlan plan = classes.get(i);
            if (plan == null) {
                throw new IllegalArgumentException("classes[" + i + "] must not be null");
            }
            if (seen.contains(plan.name())) {
                throw new IllegalArgumentException(
                        "classes[" + i + "]: class name '" + plan.name() + "' is used twice; names must be unique");
            }
            seen.add(plan.name());
        }
        return new CohortPlan(List.copyOf(classes), policy, clock);
    }

    /** How many classes. */
    public int classCount() {
        return ramps.size();
    }

    /** The name of the class at {@code index} (0-based, in priority order). */
    public String className(int index) {
        return ramps.get(index).name();
    }

    /** The index of the class named {@code name}, or -1 if there is none. Lock-free. */
    public int classIndex(String name) {
        Integer index = name == null ? null : indexByName.get(name);
        return index == null ? -1 : index;
    }

    /** The ramp of the class at {@code classIndex}. */
    public ClassRamp ramp(int classIndex) {
        return ramps.get(classIndex);
    }

    /** Every class's {@link RampStatus} now, in class order. Lock-free. */
    public List<RampStatus> status(long nowNanos) {
        List<RampStatus> status = new ArrayList<>(ramps.size());
        for (ClassRamp ramp : ramps) {
            status.add(ramp.status(nowNanos));
        }
        return status;
    }

    /** The policy in force. */
    public RampPolicy policy() {
        return policy;
    }

    /**
     * Moves every class's ramp by the timer and the gate: advances only while {@code colour} is
     * green, holds while amber, steps back after {@link RampPolicy#redHoldBeforeStepBack()} of
     * continuous red. Call it periodically from one ticker; each call counts as one observation of
     * the colour from the previous call until {@code nowNanos}.
     *
     * @param nowNanos the current time on this plan's clock
     */
    public void tick(long nowNanos, GateColour colour) {
        tick(nowNanos, colour, null);
    }

    /** As {@link #tick(long, GateColour)}, with the snapshot's reason quoted in health events. */
    public void tick(long nowNanos, HealthSnapshot health) {
        tick(nowNanos, health.colour(), health.reason());
    }

    private void tick(long nowNanos, GateColour colour, String reason) {
        if (colour == null) {
            throw new IllegalArgumentException("colour must not be null");
        }
        long redHold = policy.redHoldBeforeStepBack().toNanos();
        control.lock();
        try {
            for (ClassRamp ramp : ramps) {
                ramp.tick(nowNanos, colour, reason, redHold);
            }
        } finally {
            control.unlock();
        }
    }

    /**
     * Steps one class's ramp up now because demand outruns it: the caller (the admission controller)
     * has seen the open cohorts leave the new-client rate unused while clients of closed cohorts kept
     * asking. Moves only while {@code colour} is green and the ramp is running (not paused, held or
     * rolling back), so the health gate keeps its word: the ramp never advances while amber or red.
     * The step is an event with cause {@link Cause#DEMAND}; the hold restarts at the new fraction.
     *
     * @return true if the ramp moved
     */
    public boolean advanceOnDemand(int classIndex, long nowNanos, GateColour colour, String detail) {
        if (colour != GateColour.GREEN) {
            return false;
        }
        ClassRamp ramp = ramps.get(classIndex);
        control.lock();
        try {
            return ramp.advanceOnDemand(nowNanos, detail);
        } finally {
            control.unlock();
        }
    }

    /** Adds a listener for every later event; see {@link RampListener} for where it runs. */
    public void addListener(RampListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
    }

    /** Removes a listener added earlier; true if it was there. */
    public boolean removeListener(RampListener listener) {
        return listeners.remove(listener);
    }

    /** Up to {@code max} most recent events, newest first; a copy. */
    public List<RampEvent> recentEvents(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be zero or positive, got " + max);
        }
        control.lock();
        try {
            List<RampEvent> events = new ArrayList<>(Math.min(max, history.size()));
            for (Iterator<RampEvent> it = history.descendingIterator(); it.hasNext() && events.size() < max; ) {
                events.add(it.next());
            }
            return events;
        } finally {
            control.unlock();
        }
    }

    /** How many times a listener has thrown, for metrics. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    long now() {
        return clock.nanoTime();
    }

    boolean underControl(BooleanSupplier action) {
        control.lock();
        try {
            return action.getAsBoolean();
        } finally {
            control.unlock();
        }
    }

    /** Records and delivers one event; called under the control lock. */
    void emit(RampEvent event) {
        if (history.size() == policy.eventHistory()) {
            history.pollFirst();
        }
        history.addLast(event);
        for (RampListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError vm) {
                    throw vm;
                }
                listenerFailures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "ramp listener " + listener + " failed on " + event, e);
            }
        }
    }
}
