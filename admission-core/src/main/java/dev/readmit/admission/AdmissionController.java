package dev.readmit.admission;

import dev.readmit.admission.admitted.AdmittedSet;
import dev.readmit.admission.bucket.TokenBucket;
import dev.readmit.admission.cohort.CohortHash;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthSnapshot;
import dev.readmit.admission.ramp.ClassRamp;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampState;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The admission decision: for a client, its class and the time, admit it, let it wait, or turn it
 * away, and say when to come back.
 *
 * <p>{@link #decide(long, int, long)} in order:
 *
 * <ol>
 *   <li>Already admitted (in the {@link AdmittedSet}): {@link Decision.Admit#ALREADY_ADMITTED}, no
 *       token taken, nothing allocated. This is the hottest path of the product.
 *   <li>The class is always open: {@link Decision.Admit#ALWAYS_OPEN}, not counted against the bucket.
 *   <li>New admissions stopped (circuit breaker open) or the gate is red: {@link Decision.Reject} with
 *       {@link Decision.RejectReason#UPSTREAM_UNHEALTHY}.
 *   <li>The client's cohort position is not yet open: {@link Decision.Wait} (not eligible), with an
 *       estimate from the ramp.
 *   <li>The upstream is at its concurrency limit: admitted clients are served first, so the client
 *       waits (eligible).
 *   <li>A token is free in the new-client bucket: {@link Decision.Admit#NEWLY_ADMITTED}, and the
 *       client is remembered.
 *   <li>Otherwise it waits (eligible) with an estimate from its place and the current rate, or is
 *       rejected with {@link Decision.RejectReason#QUEUE_FULL} when the line is full.
 * </ol>
 *
 * <p>{@link #tick(long)} runs the periodic work on one thread (the gateway's ticker, every 100 ms or
 * so): it closes the health window, moves the ramps, adapts the new-client rate to the gate colour
 * (green: the operator's rate; amber: half of it; red: none) and to the upstream's spare capacity
 * (the operator's rate is a ceiling, tapered as the concurrency limit fills: see {@link
 * Builder#fullRateBelowOccupancy}) and expires idle admitted clients. Once
 * a second it also steps up, on demand, a running ramp whose open cohorts left the rate unused while
 * its closed cohorts asked (see {@link Builder#advanceOnDemand}); a client of a closed cohort is then
 * told to come back by its place in the crowd and the rate, not by the ramp's timer.
 *
 * <p>Thread safe. {@code decide} takes no lock; the admitted path allocates nothing.
 */
public final class AdmissionController {

    /** Below this open fraction the population estimate is not trusted for an ineligible client's place. */
    private static final double MIN_FRACTION_FOR_ESTIMATE = 0.01;

    private final NanoClock clock;
    private final CohortHash cohortHash;
    private final CohortPlan plan;
    private final TokenBucket newClients;
    private final AdmittedSet admitted;
    private final HealthSignal health;
    private final ConcurrencyLimiter limiter;
    private final WaitingLine line;
    private final long maxWaiting;
    private final RetryAfter retryAfter;
    private final AdmissionCounters counters;

    private volatile boolean newAdmissionsStopped;
    private volatile double operatorRate;
    private volatile double operatorBurst;

    /** How often the ramps are checked for demand they leave unserved. */
    static final long DEMAND_WINDOW_NANOS = 1_000_000_000L;

    /** How often the tick cleans up the waiting line. */
    private static final long CLEAN_UP_EVERY_NANOS = 1_000_000_000L;

    /** Below this share of the bucket's permits used in a window, the rate counts as unused. */
    static final double DEMAND_USE = 0.9;

    private final boolean advanceOnDemand;

    /** Weight of each tick's sample in the smoothed count of requests in flight. */
    static final double OCCUPANCY_SMOOTHING = 0.2;

    /** How far a new congestion moves the learned knee towards the in-flight count it happened at. */
    static final double KNEE_LEARNING = 0.5;

    /** Per green tick in which the taper holds new clients back, the knee is raised by this share. */
    static final double KNEE_PROBE = 0.001;

    /** The spare-capacity factor moves in steps of this much, so the bucket is not re-rated every tick. */
    static final double HEADROOM_STEP = 0.05;

    private final double fullRateBelowOccupancy;

    // Written and read only by the ticking thread (the knee is volatile for readers such as metrics).
    private double smoothedInFlight;
    private volatile double kneeInFlight;
    // Written by the ticking thread; volatile because an operator's rate change (another thread)
    // applies it too.
    private volatile double headroomFactor = 1.0;

    // Written and read only by the ticking thread.
    private long demandWindowStartNanos;
    private long demandAdmitsAtWindowStart;
    private final long[] demandAsksAtWindowStart;
    private final long[] demandAsksWithRoomAtWindowStart;
    private boolean windowStayedGreen = true;
    private long lastCleanUpNanos;
    private GateColour appliedColour = GateColour.GREEN;

    private AdmissionController(Builder b) {
        this.clock = b.clock;
        this.cohortHash = b.cohortHash;
        this.plan = b.plan;
        this.operatorRate = b.permitsPerSecond;
        this.operatorBurst = b.burst;
        this.newClients = TokenBucket.create(b.permitsPerSecond, b.burst, b.clock);
        this.admitted = AdmittedSet.create(b.maxAdmitted, b.idleTimeout, b.clock);
        this.health = b.health;
        this.limiter = b.limiter;
        this.maxWaiting = b.maxWaiting;
        this.line = new WaitingLine(b.maxWaiting, b.forgetWaiterAfter, b.clock, b.maintenance);
        this.retryAfter = b.retryAfter;
        this.counters = new AdmissionCounters(plan.classCount());
        this.lastCleanUpNanos = b.clock.nanoTime();
        this.advanceOnDemand = b.advanceOnDemand;
        this.fullRateBelowOccupancy = b.fullRateBelowOccupancy;
        this.demandAsksAtWindowStart = new long[plan.classCount()];
        this.demandAsksWithRoomAtWindowStart = new long[plan.classCount()];
        this.demandWindowStartNanos = lastCleanUpNanos;
    }

    /** A builder for a controller over {@code plan}, reading time from {@code clock}. */
    public static Builder builder(CohortPlan plan, NanoClock clock) {
        return new Builder(plan, clock);
    }

    /** Decides for a client key (hashed with the configured {@link CohortHash}). */
    public Decision decide(CharSequence clientKey, int classIndex, long nowNanos) {
        return decide(cohortHash.hash(clientKey), classIndex, nowNanos);
    }

    /**
     * Decides for a client identified by its hash ({@link CohortHash#hash}, never 0).
     *
     * @param classIndex the class from the gateway's class rules, in {@code [0, classCount)}
     * @param nowNanos the time from this controller's clock
     */
    public Decision decide(long clientHash, int classIndex, long nowNanos) {
        if (admitted.touchIfPresent(clientHash, nowNanos)) {
            counters.record(classIndex, Decision.Admit.ALREADY_ADMITTED);
            return Decision.Admit.ALREADY_ADMITTED;
        }
        ClassRamp ramp = plan.ramp(classIndex);
        if (ramp.alwaysOpen()) {
            counters.record(classIndex, Decision.Admit.ALWAYS_OPEN);
            return Decision.Admit.ALWAYS_OPEN;
        }
        return decideNew(clientHash, classIndex, ramp, nowNanos);
    }

    private Decision decideNew(long clientHash, int classIndex, ClassRamp ramp, long nowNanos) {
        if (newAdmissionsStopped || health.colour() == GateColour.RED) {
            return reject(
                    classIndex,
                    Decision.RejectReason.UPSTREAM_UNHEALTHY,
                    Math.max(soonestRecoveryNanos(), soonestByPlaceNanos(clientHash, ramp)));
        }
        double position = CohortHash.position(clientHash);
        boolean upstreamHasRoom = limiter == null || limiter.inFlight() < limiter.limit();
        if (!ramp.isEligible(position)) {
            return waitForRamp(clientHash, classIndex, ramp, position, upstreamHasRoom, nowNanos);
        }
        if (upstreamHasRoom && newClients.tryAcquireAt(nowNanos)) {
            admitted.add(clientHash, nowNanos);
            line.leave(clientHash);
            counters.record(classIndex, Decision.Admit.NEWLY_ADMITTED);
            return Decision.Admit.NEWLY_ADMITTED;
        }
        if (line.size() >= maxWaiting) {
            return reject(classIndex, Decision.RejectReason.QUEUE_FULL, estimateForPlace(line.size(), nowNanos));
        }
        long place = line.placeOf(clientHash);
        long estimate = estimateForPlace(place, nowNanos);
        if (upstreamHasRoom) {
            counters.recordWait(classIndex);
        } else {
            counters.recordWaitForRoom(classIndex);
        }
        return new Decision.Wait(place, estimate, retryAfter.seconds(estimate), true);
    }

    private Decision waitForRamp(
            long clientHash, int classIndex, ClassRamp ramp, double position, boolean upstreamHasRoom, long nowNanos) {
        long place = placeBeyondRamp(ramp, position);
        long placeNanos = estimateForPlace(place, nowNanos);
        // A ramp that advances on demand opens as fast as the rate admits, so the timer's time to
        // this position is only an upper bound (while amber it would even be "never"): the place in
        // the crowd and the rate in force are the estimate. Only an operator's pause stops the ramp.
        long estimate = advanceOnDemand && ramp.state() != RampState.PAUSED
                ? Math.max(placeNanos, soonestOpenOnDemand(ramp, position))
                : Math.max(ramp.nanosUntilOpen(position, nowNanos), placeNanos);
        counters.recordWaitForRamp(classIndex, upstreamHasRoom);
        return new Decision.Wait(place, estimate, retryAfter.seconds(estimate), false);
    }

    /**
     * The place of a client whose cohort the ramp has not opened yet: everyone already in line, plus
     * the share of the population whose cohort positions lie between the open edge and this client's.
     * The population is estimated from what the open share holds now (admitted plus waiting).
     */
    private long placeBeyondRamp(ClassRamp ramp, double position) {
        double open = ramp.openFraction();
        long ahead = line.size();
        if (open >= MIN_FRACTION_FOR_ESTIMATE) {
            double population = (admitted.size() + line.size()) / open;
            ahead += (long) Math.ceil((position - open) * population);
        }
        return Math.max(1, ahead + 1);
    }

    /**
     * The soonest a client turned away by a red gate (or an open breaker) could come in once the gate
     * is green again: the clients ahead of it, let in at the operator's rate, the ceiling the rate in
     * force never exceeds. A client whose cohort is open takes its place in line, so that it keeps
     * its turn, unless the line is full: then a client not in it stays out and counts from its end
     * (joining would push a waiter out of the bounded line and move everyone's place). Why: with every such client told the same "recovery hold plus one window" (3 s), a
     * crowd of 40,000 asked again some 13,000 times a second for as long as the gate stayed red, and
     * on two cores those asks, not the upstream, became the bottleneck ({@code readmit bench storm},
     * issue 6); the client ten thousand places back cannot come in before ten thousand others anyway.
     */
    private long soonestByPlaceNanos(long clientHash, ClassRamp ramp) {
        double rate = operatorRate;
        if (rate <= 0) {
            return 0;
        }
        double position = CohortHash.position(clientHash);
        long place;
        if (!ramp.isEligible(position)) {
            place = placeBeyondRamp(ramp, position);
        } else if (line.size() >= maxWaiting) {
            long waiting = line.placeIfWaiting(clientHash);
            place = waiting > 0 ? waiting : line.size();
        } else {
            place = line.placeOf(clientHash);
        }
        double nanos = (place - 1) * 1e9 / rate;
        return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
    }

    /** The soonest a ramp advancing on demand can open {@code position}: one step per demand window. */
    private static long soonestOpenOnDemand(ClassRamp ramp, double position) {
        int steps = ramp.stepsUntilOpen(position);
        return steps == Integer.MAX_VALUE ? Long.MAX_VALUE : steps * DEMAND_WINDOW_NANOS;
    }

    /**
     * When a client turned away by a red gate (or an open breaker) should ask again at the soonest:
     * once the gate could be green again, its recovery hold plus one window; later when its place in
     * line says so ({@link #soonestByPlaceNanos}). Why not "never" (the one-minute ceiling of {@code
     * Retry-After}): a red spell near capacity lasts seconds, and clients told a minute came back long
     * after the upstream had room again, which stretched the storm's finish (issue 6). Asking again
     * costs the gateway one cheap answer, and the line keeps their order.
     */
    private long soonestRecoveryNanos() {
        var t = health.thresholds();
        return t.recoveryHold().toNanos() + t.window().toNanos();
    }

    /**
     * When the client at {@code place} in line should come in. The rate it is estimated at is the rate
     * in force, but at least half the operator's: the rate in force drops to half while amber and to
     * nothing for a moment while the upstream's limit is full, while over the next seconds sessions
     * end and clients keep coming in; estimating at nothing told everyone in line "a minute".
     */
    private long estimateForPlace(long place, long nowNanos) {
        double rate = Math.max(newClients.permitsPerSecond(), operatorRate * 0.5);
        if (rate <= 0) {
            return Long.MAX_VALUE;
        }
        double first = newClients.permitsPerSecond() > 0
                ? Math.min((double) newClients.nanosUntilNextPermitAt(nowNanos), 1e9 / rate)
                : 1e9 / rate;
        double nanos = first + (place - 1) * 1e9 / rate;
        return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
    }

    private Decision reject(int classIndex, Decision.RejectReason reason, long estimateNanos) {
        counters.recordReject(classIndex, reason);
        return new Decision.Reject(reason, retryAfter.seconds(estimateNanos));
    }

    /**
     * Admits the holder of a verified ticket: a client that was admitted before (perhaps by another
     * instance, or before a restart) stays admitted without taking a token.
     */
    public Decision admitTicketHolder(long clientHash, int classIndex, long nowNanos) {
        if (!admitted.touchIfPresent(clientHash, nowNanos)) {
            admitted.add(clientHash, nowNanos);
        }
        counters.record(classIndex, Decision.Admit.ALREADY_ADMITTED);
        return Decision.Admit.ALREADY_ADMITTED;
    }

    /**
     * Periodic work, called by one thread: closes the health window, moves every ramp, adapts the
     * new-client rate to the gate colour, expires idle clients (the admitted set's rolling pass, a
     * slice of the table per tick) and, once a second, cleans up the waiting line.
     *
     * @return the health snapshot just taken
     */
    public HealthSnapshot tick(long nowNanos) {
        HealthSnapshot snapshot = health.evaluate(nowNanos);
        GateColour colour = snapshot.colour();
        plan.tick(nowNanos, colour);
        if (colour != appliedColour) {
            if (appliedColour == GateColour.GREEN) {
                learnKnee();
            }
            appliedColour = colour;
            applyRate();
        }
        followSpareCapacity(colour);
        windowStayedGreen &= colour == GateColour.GREEN;
        if (advanceOnDemand && nowNanos - demandWindowStartNanos >= DEMAND_WINDOW_NANOS) {
            advanceRampsOnDemand(nowNanos, colour);
        }
        admitted.expireDue(nowNanos);
        if (nowNanos - lastCleanUpNanos >= CLEAN_UP_EVERY_NANOS) {
            lastCleanUpNanos = nowNanos;
            line.cleanUp();
        }
        return snapshot;
    }

    /**
     * Scales the new-client rate by the upstream's spare capacity: the configured rate is a ceiling
     * that applies in full while the smoothed count of requests in flight is below {@code
     * fullRateBelowOccupancy} of the upstream's capacity in requests in flight, and falls linearly to
     * nothing as it reaches it. That capacity is the concurrency limit, or, once the gate has turned
     * amber or red, the <em>knee</em> (see {@link #learnKnee}) when it is lower.
     *
     * <p>Why: every client admitted keeps sending for its whole session (tens of seconds) while the
     * gate sees its load only a moment later; a fixed rate admitted new sessions as fast when the
     * upstream was nearly full as when it was idle, overshot its capacity, and then had to stop
     * altogether while the admitted sessions drained (issue 6). Tapering admits at the ceiling while
     * the upstream is idle (so it fills from the start) and ever fewer as it fills, so that new
     * sessions replace ending ones instead of overshooting. While the taper holds clients back and the
     * gate stays green, the knee creeps up ({@link #KNEE_PROBE} a tick, about 1 % a second), so an
     * upstream that became faster is found again.
     */
    private void followSpareCapacity(GateColour colour) {
        if (limiter == null || fullRateBelowOccupancy >= 1.0) {
            return;
        }
        smoothedInFlight += (limiter.inFlight() - smoothedInFlight) * OCCUPANCY_SMOOTHING;
        double capacity = Math.max(1, limiter.limit());
        if (kneeInFlight > 0) {
            if (colour == GateColour.GREEN && headroomFactor < 1.0) {
                kneeInFlight *= 1.0 + KNEE_PROBE;
            }
            capacity = Math.min(capacity, kneeInFlight);
        }
        double spare = (1.0 - smoothedInFlight / capacity) / (1.0 - fullRateBelowOccupancy);
        double factor = Math.max(0.0, Math.min(1.0, Math.floor(spare / HEADROOM_STEP) * HEADROOM_STEP));
        if (factor != headroomFactor) {
            headroomFactor = factor;
            applyRate();
        }
    }

    /**
     * The gate just left green: the smoothed count of requests in flight at this moment is where
     * this upstream's latency gave way, its knee. The first congestion sets it; each later one moves
     * it half way. Why not the concurrency limit alone: the gradient limit falls only once the mean
     * latency has risen by a quarter, and it grows while requests come in bursts, so it sat at twice
     * the upstream's workers while the gate's p99 already passed 1.5x its baseline (measured by
     * {@code readmit bench storm}, issue 6).
     */
    private void learnKnee() {
        if (limiter == null || fullRateBelowOccupancy >= 1.0 || smoothedInFlight < 1.0) {
            return;
        }
        kneeInFlight =
                kneeInFlight == 0 ? smoothedInFlight : kneeInFlight + (smoothedInFlight - kneeInFlight) * KNEE_LEARNING;
    }

    /** The learned knee in requests in flight (see {@link #learnKnee}), 0 before the first congestion. */
    public double kneeInFlight() {
        return kneeInFlight;
    }

    /** See {@link Builder#fullRateBelowOccupancy}. */
    public double fullRateBelowOccupancy() {
        return fullRateBelowOccupancy;
    }

    /** The share of the configured rate the upstream's spare capacity allows now, in [0, 1]. */
    public double headroomFactor() {
        return headroomFactor;
    }

    /**
     * Once per {@link #DEMAND_WINDOW_NANOS}: if over that window the gate stayed green and new clients
     * took less than {@link #DEMAND_USE} of the bucket's permits, every class whose closed cohorts
     * asked to come in while the upstream had a free slot (so it is the ramp, not the upstream, that
     * kept them out) steps up one step.
     *
     * <p>Why: a ramp's timer knows nothing of the service's capacity. A slow timer leaves the
     * upstream idle while the crowd waits (a ten-minute ramp keeps a service that could readmit
     * everyone in three minutes at a few percent of its capacity); a fast one lets in more than the
     * rate anyway. The rate, the concurrency limit and the health gate are what keep the upstream
     * healthy; the ramp decides who comes first. So the ramp's holds are a longest wait, and demand
     * that the open cohorts cannot fill moves it sooner. The window (1 s) is also the debounce: a
     * step's newly eligible clients come back after their {@code Retry-After} (at least 1 s), and
     * the bucket's burst covers that second.
     *
     * <p>Why "asked while a slot was free" and not "the limiter refused nobody": an upstream run near
     * its capacity has its limit reached now and then in most seconds, while sessions keep ending and
     * freeing room; with any refusal holding the ramp, the open cohorts drained, nobody new was let in
     * while slots were free, and the upstream ran below capacity until a quiet second (issue 6). A
     * closed-cohort client that found a free slot is direct evidence of room the ramp wasted; when the
     * upstream is the bottleneck every such client finds the limit reached, and the ramp holds.
     */
    private void advanceRampsOnDemand(long nowNanos, GateColour colour) {
        double seconds = (nowNanos - demandWindowStartNanos) / 1e9;
        long admits = 0;
        for (int c = 0; c < demandAsksAtWindowStart.length; c++) {
            admits += counters.admits(c, Decision.Admit.NEWLY_ADMITTED);
        }
        double permits = newClients.permitsPerSecond() * seconds;
        boolean rateUnused = colour == GateColour.GREEN
                && windowStayedGreen
                && !newAdmissionsStopped
                && permits >= 1
                && admits - demandAdmitsAtWindowStart < permits * DEMAND_USE;
        for (int c = 0; c < demandAsksAtWindowStart.length; c++) {
            long asks = counters.waitsForRamp(c);
            long asksWithRoom = counters.waitsForRampWithRoom(c);
            if (rateUnused && asksWithRoom > demandAsksWithRoomAtWindowStart[c]) {
                plan.advanceOnDemand(
                        c,
                        nowNanos,
                        colour,
                        String.format(
                                java.util.Locale.ROOT,
                                "open cohorts used %d of %.0f new-client permits in %.1f s while %d closed-cohort"
                                        + " clients asked (%d with an upstream slot free)",
                                admits - demandAdmitsAtWindowStart,
                                permits,
                                seconds,
                                asks - demandAsksAtWindowStart[c],
                                asksWithRoom - demandAsksWithRoomAtWindowStart[c]));
            }
            demandAsksAtWindowStart[c] = asks;
            demandAsksWithRoomAtWindowStart[c] = asksWithRoom;
        }
        demandAdmitsAtWindowStart = admits;
        demandWindowStartNanos = nowNanos;
        windowStayedGreen = true;
    }

    /**
     * Sets the operator's new-client rate. While the gate is amber half of it applies, while red none.
     *
     * @param permitsPerSecond new clients admitted per second, 0 to stop admitting new clients
     * @param burst how many may be admitted at once after a quiet spell, at least 1
     */
    public synchronized void setNewClientRate(double permitsPerSecond, double burst) {
        TokenBucket.create(permitsPerSecond, burst, clock); // validates before anything changes
        this.operatorRate = permitsPerSecond;
        this.operatorBurst = burst;
        applyRate();
    }

    private synchronized void applyRate() {
        double factor =
                switch (appliedColour) {
                    case GREEN -> 1.0;
                    case AMBER -> 0.5;
                    case RED -> 0.0;
                };
        newClients.setRate(operatorRate * factor * headroomFactor, operatorBurst);
    }

    /** Stops (true) or restarts (false) all new admissions, e.g. while the circuit breaker is open. */
    public void stopNewAdmissions(boolean stopped) {
        this.newAdmissionsStopped = stopped;
    }

    public boolean newAdmissionsStopped() {
        return newAdmissionsStopped;
    }

    /** The operator's new-client rate, per second (before the gate colour's reduction). */
    public double operatorRate() {
        return operatorRate;
    }

    public double operatorBurst() {
        return operatorBurst;
    }

    /** The rate in force now, per second. */
    public double effectiveRate() {
        return newClients.permitsPerSecond();
    }

    public long admittedClients() {
        return admitted.size();
    }

    /** Eligible clients waiting for a token (an estimate). */
    public long waitingClients() {
        return line.size();
    }

    public CohortPlan plan() {
        return plan;
    }

    public HealthSignal health() {
        return health;
    }

    /** The upstream concurrency limiter, or null when none was configured. */
    public ConcurrencyLimiter limiter() {
        return limiter;
    }

    public CohortHash cohortHash() {
        return cohortHash;
    }

    public NanoClock clock() {
        return clock;
    }

    /** Decision counts by class and outcome, for metrics. */
    public AdmissionCounters counters() {
        return counters;
    }

    /**
     * Builds an {@link AdmissionController}. Every option has a default; setting one twice is an
     * error, as is a value out of range (the message names the option).
     */
    public static final class Builder {
        /** See {@link #fullRateBelowOccupancy(double)}. */
        public static final double DEFAULT_FULL_RATE_BELOW_OCCUPANCY = 0.75;

        private final CohortPlan plan;
        private final NanoClock clock;
        private CohortHash cohortHash;
        private double permitsPerSecond = 100;
        private double burst = 100;
        private boolean rateSet;
        private int maxAdmitted = 1_000_000;
        private Duration idleTimeout = Duration.ofMinutes(30);
        private boolean admittedSet;
        private HealthSignal health;
        private ConcurrencyLimiter limiter;
        private long maxWaiting = 1_000_000;
        private Duration forgetWaiterAfter = Duration.ofMinutes(5);
        private boolean waitingSet;
        private RetryAfter retryAfter;
        private Executor maintenance = Runnable::run;
        private Boolean advanceOnDemand;
        private Double fullRateBelowOccupancy;

        private Builder(CohortPlan plan, NanoClock clock) {
            this.plan = Objects.requireNonNull(plan, "plan");
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /** The hash that gives client keys their cohort position; default salt {@code readmit}. */
        public Builder cohortHash(CohortHash hash) {
            requireUnset(cohortHash, "cohortHash");
            this.cohortHash = Objects.requireNonNull(hash, "cohortHash");
            return this;
        }

        /** The new-client bucket: default 100 per second, burst 100. */
        public Builder newClientRate(double permitsPerSecond, double burst) {
            requireUnset(rateSet ? Boolean.TRUE : null, "newClientRate");
            this.permitsPerSecond = permitsPerSecond;
            this.burst = burst;
            this.rateSet = true;
            return this;
        }

        /** The admitted set: default 1,000,000 clients, forgotten after 30 minutes idle. */
        public Builder admitted(int maxClients, Duration idleTimeout) {
            requireUnset(admittedSet ? Boolean.TRUE : null, "admitted");
            if (maxClients < 1) {
                throw new IllegalArgumentException("admitted.maxClients must be at least 1, got " + maxClients);
            }
            this.maxAdmitted = maxClients;
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            this.admittedSet = true;
            return this;
        }

        /** The upstream's health signal; required. */
        public Builder health(HealthSignal health) {
            requireUnset(this.health, "health");
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        /** The upstream concurrency limiter; when set, nobody new is admitted while it is full. */
        public Builder limiter(ConcurrencyLimiter limiter) {
            requireUnset(this.limiter, "limiter");
            this.limiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /** The waiting line: default 1,000,000 clients, forgotten after 5 minutes without asking. */
        public Builder waiting(long maxWaiting, Duration forgetAfter) {
            requireUnset(waitingSet ? Boolean.TRUE : null, "waiting");
            if (maxWaiting < 1) {
                throw new IllegalArgumentException("waiting.maxWaiting must be at least 1, got " + maxWaiting);
            }
            this.maxWaiting = maxWaiting;
            this.forgetWaiterAfter = Objects.requireNonNull(forgetAfter, "forgetAfter");
            this.waitingSet = true;
            return this;
        }

        /** Retry-after policy; default {@link RetryAfter#ofDefaults()}. */
        public Builder retryAfter(RetryAfter retryAfter) {
            requireUnset(this.retryAfter, "retryAfter");
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
            return this;
        }

        /**
         * Where the waiting line's cache maintenance runs; default the calling thread, which keeps
         * tests deterministic. The gateway passes a background executor.
         */
        public Builder maintenanceExecutor(Executor executor) {
            this.maintenance = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Whether a running ramp also steps up when the open cohorts leave the new-client rate unused
         * while closed cohorts ask (cause {@link dev.readmit.admission.ramp.Cause#DEMAND}); default
         * true. With false the ramp moves only by its timer and operators.
         */
        public Builder advanceOnDemand(boolean enabled) {
            requireUnset(advanceOnDemand, "advanceOnDemand");
            this.advanceOnDemand = enabled;
            return this;
        }

        /**
         * Below this smoothed occupancy of the concurrency limit (in flight / limit) new clients are
         * admitted at the full configured rate; above it the rate falls linearly, to nothing at the
         * limit. In (0, 1]; 1 admits at the full rate until the limit is reached. Default {@value
         * #DEFAULT_FULL_RATE_BELOW_OCCUPANCY}. Without a limiter it has no effect.
         */
        public Builder fullRateBelowOccupancy(double occupancy) {
            requireUnset(fullRateBelowOccupancy, "fullRateBelowOccupancy");
            if (!(occupancy > 0.0 && occupancy <= 1.0)) {
                throw new IllegalArgumentException("fullRateBelowOccupancy must be in (0, 1], got " + occupancy);
            }
            this.fullRateBelowOccupancy = occupancy;
            return this;
        }

        public AdmissionController build() {
            if (advanceOnDemand == null) {
                advanceOnDemand = true;
            }
            if (fullRateBelowOccupancy == null) {
                fullRateBelowOccupancy = DEFAULT_FULL_RATE_BELOW_OCCUPANCY;
            }
            if (health == null) {
                throw new IllegalStateException("health is required: call health(HealthSignal)");
            }
            if (cohortHash == null) {
                cohortHash = CohortHash.withSalt("readmit");
            }
            if (retryAfter == null) {
                retryAfter = RetryAfter.ofDefaults();
            }
            return new AdmissionController(this);
        }

        private static void requireUnset(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " was already set");
            }
        }
    }
}
