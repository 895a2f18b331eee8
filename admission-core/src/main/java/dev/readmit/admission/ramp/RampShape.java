package dev.readmit.admission.ramp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a class's open fraction grows while the health gate is green. Every shape is a ladder of
 * steps (a fraction and how long to hold it before the next); only green time counts toward a hold.
 * A rollback, by an operator or by the health gate, goes down one step of the same ladder.
 *
 * <ul>
 *   <li>{@link Steps}: the steps as given.
 *   <li>{@link Linear}: a staircase of {@code steps} equal steps from {@code from} to {@code to},
 *       each held {@code over / steps}; by default 20 steps of 5 % of the span. A continuous line
 *       would change the fraction on every tick and leave "one step back" meaningless; 20 steps
 *       follow the line closely enough and make a rollback a 5 % cut.
 *   <li>{@link Doubling}: {@code start}, then twice as much every {@code every}, capped at 1. One
 *       step back halves the fraction, the multiplicative decrease that pairs with exponential
 *       growth.
 * </ul>
 *
 * <p>Immutable and validated at construction; errors name the field and what is allowed.
 */
public sealed interface RampShape permits RampShape.Steps, RampShape.Linear, RampShape.Doubling {

    /** The ladder of (fraction, hold) this shape stands for, in increasing fraction order. */
    List<Step> ladder();

    /** The fraction the ramp ends at (the last step), 1.0 unless configured lower. */
    default double endFraction() {
        List<Step> ladder = ladder();
        return ladder.get(ladder.size() - 1).fraction();
    }

    /**
     * One step of a ladder: open to {@code fraction}, then hold it for {@code hold} of green time
     * before moving to the next step. The last step's hold is not used.
     *
     * @param fraction in [0, 1]
     * @param hold zero or positive
     */
    record Step(double fraction, Duration hold) {
        /** Validates the fields. */
        public Step {
            if (!(fraction >= 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException("step fraction must be in [0, 1], got " + fraction);
            }
            if (hold == null || hold.isNegative()) {
                throw new IllegalArgumentException("step hold must be zero or positive, got " + hold);
            }
        }
    }

    /**
     * Explicit steps, strictly increasing in fraction.
     *
     * @param steps at least one; copied
     */
    record Steps(List<Step> steps) implements RampShape {
        /** Validates the fields. */
        public Steps {
            if (steps == null || steps.isEmpty()) {
                throw new IllegalArgumentException("steps must list at least one step, got " + steps);
            }
            steps = List.copyOf(steps);
            for (int i = 1; i < steps.size(); i++) {
                if (!(steps.get(i).fraction() > steps.get(i - 1).fraction())) {
                    throw new IllegalArgumentException("steps must increase strictly in fraction: step " + i + " ("
                            + steps.get(i).fraction() + ") does not exceed step " + (i - 1) + " ("
                            + steps.get(i - 1).fraction() + ")");
                }
            }
        }

        /** Steps from alternating fractions and holds, e.g. {@code of(0.1, ofMinutes(2), 0.5, ofMinutes(5), 1.0, ZERO)}. */
        public static Steps of(Object... fractionsAndHolds) {
            if (fractionsAndHolds.length == 0 || fractionsAndHolds.length % 2 != 0) {
                throw new IllegalArgumentException(
                        "steps need pairs of (fraction, hold), got " + fractionsAndHolds.length + " values");
            }
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < fractionsAndHolds.length; i += 2) {
                if (!(fractionsAndHolds[i] instanceof Number fraction)
                        || !(fractionsAndHolds[i + 1] instanceof Duration hold)) {
                    throw new IllegalArgumentException(
                            "step " + i / 2 + " must be (Number fraction, Duration hold), got (" + fractionsAndHolds[i]
                                    + ", " + fractionsAndHolds[i + 1] + ")");
                }
                steps.add(new Step(fraction.doubleValue(), hold));
            }
            return new Steps(steps);
        }

        @Override
        public List<Step> ladder() {
            return steps;
        }
    }

    /**
     * A staircase approximating a straight line from {@code from} to {@code to} over {@code over}.
     *
     * @param from the first step, in [0, 1)
     * @param to the last step, in (from, 1]
     * @param over green time from {@code from} to {@code to}, positive
     * @param steps how many equal steps, in [1, 10,000]; {@link #DEFAULT_STEPS} by default
     */
    record Linear(double from, double to, Duration over, int steps) implements RampShape {

        /** 20 steps: 5 % of the span each. */
        public static final int DEFAULT_STEPS = 20;

        /** Validates the fields. */
        public Linear {
            List<String> errors = new ArrayList<>();
            if (!(from >= 0.0 && from < 1.0)) {
                errors.add("from must be in [0, 1), got " + from);
            }
            if (!(to > from && to <= 1.0)) {
                errors.add("to must be in (from, 1], got " + to + " with from " + from);
            }
            if (over == null || over.isZero() || over.isNegative()) {
                errors.add("over must be a positive duration, got " + over);
            }
            if (steps < 1 || steps > 10_000) {
                errors.add("steps must be in [1, 10000], got " + steps);
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid linear ramp: " + String.join("; ", errors));
            }
        }

        /** A linear ramp in {@link #DEFAULT_STEPS} steps. */
        public Linear(double from, double to, Duration over) {
            this(from, to, over, DEFAULT_STEPS);
        }

        @Override
        public List<Step> ladder() {
            List<Step> ladder = new ArrayList<>(steps + 1);
            Duration hold = over.dividedBy(steps);
            for (int k = 0; k < steps; k++) {
                ladder.add(new Step(from + (to - from) * k / steps, hold));
            }
            ladder.add(new Step(to, Duration.ZERO));
            return List.copyOf(ladder);
        }
    }

    /**
     * Exponential growth: {@code start}, {@code 2 * start}, {@code 4 * start}, ..., then 1.
     *
     * @param start the first step, in (0, 1]
     * @param every how long each step is held, positive
     */
    record Doubling(double start, Duration every) implements RampShape {
        /** Validates the fields. */
        public Doubling {
            List<String> errors = new ArrayList<>();
            if (!(start > 0.0 && start <= 1.0)) {
                errors.add("start must be in (0, 1], got " + start);
            }
            if (every == null || every.isZero() || every.isNegative()) {
                errors.add("every must be a positive duration, got " + every);
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid doubling ramp: " + String.join("; ", errors));
            }
        }

        @Override
        public List<Step> ladder() {
            List<Step> ladder = new ArrayList<>();
            for (double f = start; f < 1.0; f *= 2.0) {
                ladder.add(new Step(f, every));
            }
            ladder.add(new Step(1.0, Duration.ZERO));
            return List.copyOf(ladder);
        }
    }
}
