package dev.readmit.admission.ramp;

import dev.readmit.admission.health.GateColour;
import java.util.Locale;

/**
 * One class's ramp: its open fraction and the state machine that moves it (see {@link RampState}).
 * Obtained from {@link CohortPlan#ramp(int)}.
 *
 * <p>Thread safety: {@link #openFraction()}, {@link #isEligible(double)}, {@link #state()} and
 * {@link #nanosUntilOpen(double, long)} are for the hot path and event loops; they read volatile
 * fields only, take no lock and allocate nothing. Every transition (the plan's {@code tick} on the
 * ticker thread, operator actions from admin threads) runs under the owning plan's control lock, so
 * transitions are serialised and each one publishes its new fraction with a single volatile write.
 *
 * <p>Operator actions work in every state, emit one {@link RampEvent} with cause {@link
 * Cause#OPERATOR}, and each has its inverse: {@code pause}/{@code resume}, {@code advance}/{@code
 * rollback}, {@code setOpenFraction}/{@code setOpenFraction}. They return true if something changed
 * and false for a no-op (resume when not paused, advance at 1, rollback at 0, setting the current
 * fraction). A fraction change by an operator restarts the hold at the new fraction and keeps the
 * health-driven state (a ramp held by amber is still held); a paused ramp stays paused. On an
 * always-open class they throw {@link IllegalStateException}.
 */
public final class ClassRamp {

    private final CohortPlan plan;
    private final String name;
    private final boolean alwaysOpen;
    private final RampShape shape;
    private final Ladder ladder;

    private volatile double openFraction;
    private volatile View view;

    // Guarded by plan's control lock.
    private double fraction;
    private RampState state;
    private long greenNanos;
    private long countFromNanos;
    private long redSinceNanos = -1;

    /** The estimate inputs, published together so that one volatile read sees a consistent set. */
    private record View(double fraction, RampState state, long greenNanos, long countFromNanos) {}

    ClassRamp(CohortPlan plan, ClassPlan classPlan, long nowNanos) {
        this.plan = plan;
        this.name = classPlan.name();
        this.alwaysOpen = classPlan.alwaysOpen();
        this.shape = classPlan.shape();
        this.ladder = alwaysOpen ? null : new Ladder(shape.ladder());
        this.fraction = alwaysOpen ? 1.0 : classPlan.initialFraction();
        this.state = alwaysOpen || fraction >= ladder.end() ? RampState.OPEN : RampState.RAMPING;
        this.countFromNanos = nowNanos;
        publish();
    }

    /** The class name. */
    public String name() {
        return name;
    }

    /** The ramp shape, null for an always-open class. */
    public RampShape shape() {
        return shape;
    }

    /** The share of cohort positions eligible now, in [0, 1]. One volatile read; no allocation. */
    public double openFraction() {
        return openFraction;
    }

    /** True if the class is always open (never ramped). */
    public boolean alwaysOpen() {
        return alwaysOpen;
    }

    /**
     * True if a client at {@code cohortPosition} (in [0, 1)) may be admitted now: the class is
     * always open or the position is below the open fraction. Lock-free, allocation-free.
     */
    public boolean isEligible(double cohortPosition) {
        return alwaysOpen || cohortPosition < openFraction;
    }

    /** The state now. One volatile read. */
    public RampState state() {
        return view.state;
    }

    /**
     * Estimated nanoseconds until a client at {@code cohortPosition} becomes eligible, assuming the
     * gate stays green from now on: 0 if eligible now; {@link Long#MAX_VALUE} if the ramp is paused
     * or its shape ends below the position. Held and rolled-back ramps are estimated as if they
     * resumed now. Lock-free, allocation-free.
     *
     * @param nowNanos the current time on the plan's clock
     */
    public long nanosUntilOpen(double cohortPosition, long nowNanos) {
        if (alwaysOpen) {
            return 0L;
        }
        View v = view;
        if (cohortPosition < v.fraction) {
            return 0L;
        }
        if (v.state == RampState.PAUSED) {
            return Long.MAX_VALUE;
        }
        long green = v.greenNanos;
        if (v.state == RampState.RAMPING) {
            green = Ladder.saturatedAdd(green, Math.max(0L, nowNanos - v.countFromNanos));
        }
        return ladder.nanosUntil(cohortPosition, v.fraction, green);
    }

    /**
     * How many steps of the shape the ramp must still take before {@code cohortPosition} is open: 0
     * if it is open now, {@link Integer#MAX_VALUE} if the shape never opens it. Lock-free.
     */
    public int stepsUntilOpen(double cohortPosition) {
        if (alwaysOpen) {
            return 0;
        }
        double f = view.fraction;
        int steps = 0;
        while (cohortPosition >= f) {
            if (!ladder.hasNext(f)) {
                return Integer.MAX_VALUE;
            }
            f = ladder.next(f);
            steps++;
        }
        return steps;
    }

    /**
     * The ramp's state, fraction and next step now, read from one consistent view without a lock.
     *
     * @param nowNanos the current time on the plan's clock
     */
    public RampStatus status(long nowNanos) {
        View v = view;
        if (alwaysOpen) {
            return new RampStatus(name, true, RampState.OPEN, 1.0, 1.0, Long.MAX_VALUE);
        }
        if (!ladder.hasNext(v.fraction)) {
            return new RampStatus(name, false, v.state, v.fraction, v.fraction, Long.MAX_VALUE);
        }
        long toNext = Long.MAX_VALUE;
        if (v.state != RampState.PAUSED) {
            long green = v.greenNanos;
            if (v.state == RampState.RAMPING) {
                green = Ladder.saturatedAdd(green, Math.max(0L, nowNanos - v.countFromNanos));
            }
            toNext = Math.max(0L, ladder.holdNanos(v.fraction) - green);
        }
        return new RampStatus(name, false, v.state, v.fraction, ladder.next(v.fraction), toNext);
    }

    /** Pauses the ramp: the timer stops until {@link #resume}. */
    public boolean pause(String actor) {
        requireRamped("pause");
        requireActor(actor);
        return plan.underControl(() -> {
            if (state == RampState.PAUSED) {
                return false;
            }
            transition(plan.now(), RampState.PAUSED, fraction, Cause.OPERATOR, actor, "paused");
            return true;
        });
    }

    /** Resumes a paused ramp; the hold at the current fraction continues where it stopped. */
    public boolean resume(String actor) {
        requireRamped("resume");
        requireActor(actor);
        return plan.underControl(() -> {
            if (state != RampState.PAUSED) {
                return false;
            }
            long now = plan.now();
            countFromNanos = now;
            redSinceNanos = -1;
            transition(now, runningState(fraction), fraction, Cause.OPERATOR, actor, "resumed");
            return true;
        });
    }

    /** Moves up one step now, whatever the gate says; at the end of the shape, opens fully. */
    public boolean advance(String actor) {
        requireRamped("advance");
        requireActor(actor);
        return plan.underControl(() -> {
            double target = ladder.hasNext(fraction) ? ladder.next(fraction) : 1.0;
            return operatorMove(target, actor, "advanced one step");
        });
    }

    /** Moves down one step now (see {@link RampShape} for the size of a step); at 0 it does nothing. */
    public boolean rollback(String actor) {
        requireRamped("rollback");
        requireActor(actor);
        return plan.underControl(() -> operatorMove(ladder.previous(fraction), actor, "rolled back one step"));
    }

    /**
     * Sets the open fraction now. The ramp continues from there: the next step is the first of its
     * shape above {@code fraction}.
     *
     * @param fraction in [0, 1]
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] or NaN
     */
    public boolean setOpenFraction(double fraction, String actor) {
        requireRamped("set the open fraction of");
        requireActor(actor);
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("open fraction must be in [0, 1], got " + fraction);
        }
        return plan.underControl(() -> operatorMove(fraction, actor, "set to " + percent(fraction)));
    }

    private boolean operatorMove(double target, String actor, String detail) {
        if (Double.compare(target, fraction) == 0) {
            return false;
        }
        long now = plan.now();
        greenNanos = 0;
        countFromNanos = now;
        RampState next;
        if (state == RampState.PAUSED) {
            next = RampState.PAUSED;
        } else if (target >= ladder.end()) {
            next = RampState.OPEN;
        } else if (state == RampState.OPEN) {
            next = RampState.RAMPING;
        } else {
            next = state;
        }
        transition(now, next, target, Cause.OPERATOR, actor, detail);
        return true;
    }

    /**
     * One step up because the open cohorts no longer use the new-client rate; called by the plan under
     * its control lock. Only a ramp that is running (the gate green at the last tick: not paused, not
     * held by amber, not rolling back after red) moves; the hold restarts at the new step.
     */
    boolean advanceOnDemand(long now, String detail) {
        if (alwaysOpen || state != RampState.RAMPING || !ladder.hasNext(fraction)) {
            return false;
        }
        double target = ladder.next(fraction);
        greenNanos = 0;
        countFromNanos = now;
        transition(now, runningState(target), target, Cause.DEMAND, RampEvent.SYSTEM_ACTOR, detail);
        return true;
    }

    /** One tick of the timer and the gate; called by the plan under its control lock. */
    void tick(long now, GateColour colour, String healthReason, long redHoldNanos) {
        if (alwaysOpen) {
            return;
        }
        boolean red = colour == GateColour.RED;
        if (red) {
            if (redSinceNanos < 0) {
                redSinceNanos = now;
            }
        } else {
            redSinceNanos = -1;
        }
        boolean stepBack = red && now - redSinceNanos >= redHoldNanos && fraction > 0.0;
        RampState before = state;
        if (colour == GateColour.GREEN && before == RampState.RAMPING) {
            greenNanos = Ladder.saturatedAdd(greenNanos, Math.max(0L, now - countFromNanos));
            countFromNanos = now;
            long hold = ladder.holdNanos(fraction);
            if (ladder.hasNext(fraction) && greenNanos >= hold) {
                double held = fraction;
                double target = ladder.next(fraction);
                greenNanos -= hold;
                transition(
                        now,
                        runningState(target),
                        target,
                        Cause.TIMER,
                        RampEvent.SYSTEM_ACTOR,
                        "held " + seconds(hold) + " at " + percent(held) + " while green");
            } else {
                publish();
            }
            return;
        }
        countFromNanos = now;
        if (stepBack) {
            redSinceNanos = now;
            double target = ladder.previous(fraction);
            greenNanos = 0;
            RampState next = before == RampState.PAUSED ? RampState.PAUSED : RampState.ROLLING_BACK;
            transition(
                    now,
                    next,
                    target,
                    Cause.HEALTH,
                    RampEvent.SYSTEM_ACTOR,
                    "gate red for " + seconds(redHoldNanos) + ": stepping back" + because(healthReason));
            return;
        }
        if (colour == GateColour.GREEN && (before == RampState.HOLDING || before == RampState.ROLLING_BACK)) {
            transition(
                    now,
                    runningState(fraction),
                    fraction,
                    Cause.HEALTH,
                    RampEvent.SYSTEM_ACTOR,
                    "gate green: ramping again" + because(healthReason));
        } else if (colour != GateColour.GREEN && before == RampState.RAMPING) {
            transition(
                    now,
                    RampState.HOLDING,
                    fraction,
                    Cause.HEALTH,
                    RampEvent.SYSTEM_ACTOR,
                    "gate " + colour.label() + ": holding" + because(healthReason));
        } else {
            publish();
        }
    }

    private RampState runningState(double f) {
        return f >= ladder.end() ? RampState.OPEN : RampState.RAMPING;
    }

    private void transition(long now, RampState to, double toFraction, Cause cause, String actor, String detail) {
        RampState from = state;
        double fromFraction = fraction;
        state = to;
        fraction = Math.max(0.0, Math.min(1.0, toFraction));
        publish();
        plan.emit(new RampEvent(now, name, from, to, fromFraction, fraction, cause, actor, detail));
    }

    private void publish() {
        view = new View(fraction, state, greenNanos, countFromNanos);
        openFraction = fraction;
    }

    private void requireRamped(String action) {
        if (alwaysOpen) {
            throw new IllegalStateException("class '" + name + "' is always open: there is no ramp to " + action);
        }
    }

    private static void requireActor(String actor) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("actor must name who acted (an operator or tool), got '" + actor + "'");
        }
    }

    private static String because(String healthReason) {
        return healthReason == null || healthReason.isEmpty() ? "" : " (" + healthReason + ")";
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100.0);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public String toString() {
        View v = view;
        return "ClassRamp[" + name + ", " + v.state.label() + ", " + percent(v.fraction) + "]";
    }
}
