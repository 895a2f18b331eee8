package dev.readmit.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.readmit.admission.health.AimdLimit;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.admission.ramp.ClassPlan;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampPolicy;
import dev.readmit.admission.ramp.RampShape;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class AdmissionControllerTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);

    private static RampShape steps() {
        return RampShape.Steps.of(0.1, Duration.ofMinutes(1), 0.5, Duration.ofMinutes(1), 1.0, Duration.ZERO);
    }

    private CohortPlan plan(double everyoneOpen) {
        return CohortPlan.create(
                List.of(ClassPlan.alwaysOpen("restores"), ClassPlan.ramped("everyone", steps(), everyoneOpen)),
                RampPolicy.ofDefaults(),
                clock);
    }

    private AdmissionController.Builder builder(double everyoneOpen) {
        return AdmissionController.builder(plan(everyoneOpen), clock)
                .health(HealthSignal.create(HealthThresholds.ofDefaults(), clock))
                .retryAfter(RetryAfter.of(Duration.ofSeconds(1), Duration.ofSeconds(600), 0.0));
    }

    /** A key whose cohort position is below (or at or above) {@code edge}. */
    private static String keyWithPosition(AdmissionController c, boolean below, double edge, int skip) {
        int found = 0;
        for (int i = 0; ; i++) {
            String key = "client-" + i;
            double position = c.cohortHash().position(key);
            if ((position < edge) == below && found++ == skip) {
                return key;
            }
        }
    }

    @Test
    void admittedClientStaysAdmittedWithoutTakingATokenAgain() {
        AdmissionController c = builder(1.0).newClientRate(1, 1).build();
        long now = clock.nanoTime();

        assertThat(c.decide("alice", 1, now)).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        for (int i = 0; i < 100; i++) {
            assertThat(c.decide("alice", 1, now)).isEqualTo(Decision.Admit.ALREADY_ADMITTED);
        }
        // The only token went to alice; bob waits although alice asked a hundred times more.
        assertThat(c.decide("bob", 1, now)).isInstanceOf(Decision.Wait.class);
        clock.advance(Duration.ofSeconds(1));
        assertThat(c.decide("bob", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
    }

    @Test
    void alwaysOpenClassIsAdmittedWithoutTokensWhileTheRampedClassIsClosed() {
        AdmissionController c = builder(0.0).newClientRate(0, 1).build();
        long now = clock.nanoTime();

        assertThat(c.decide("restore-agent", 0, now)).isEqualTo(Decision.Admit.ALWAYS_OPEN);
        assertThat(c.decide("browser", 1, now)).isInstanceOf(Decision.Wait.class);
        assertThat(c.counters().admits(0, Decision.Admit.ALWAYS_OPEN)).isEqualTo(1);
        assertThat(c.counters().waits(1)).isEqualTo(1);
    }

    @Test
    void clientOutsideTheOpenCohortWaitsForTheRampNotForATokenAndIsNotCountedAsEligible() {
        AdmissionController c = builder(0.1).newClientRate(1000, 1000).build();
        String outside = keyWithPosition(c, false, 0.1, 0);
        String inside = keyWithPosition(c, true, 0.1, 0);

        Decision decision = c.decide(outside, 1, clock.nanoTime());
        assertThat(decision).isInstanceOfSatisfying(Decision.Wait.class, w -> {
            assertThat(w.eligible()).isFalse();
            assertThat(w.estimatedWaitNanos()).isPositive();
            assertThat(w.retryAfterSeconds()).isPositive();
        });
        assertThat(c.decide(inside, 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
    }

    @Test
    void cohortsFartherFromTheOpenEdgeAreToldTheyWaitLonger() {
        AdmissionController c = builder(0.1).newClientRate(1000, 1000).build();
        String near = null;
        String far = null;
        for (int i = 0; near == null || far == null; i++) {
            String key = "client-" + i;
            double position = c.cohortHash().position(key);
            if (position >= 0.15 && position < 0.3 && near == null) {
                near = key;
            } else if (position >= 0.8 && far == null) {
                far = key;
            }
        }
        Decision.Wait nearWait = (Decision.Wait) c.decide(near, 1, clock.nanoTime());
        Decision.Wait farWait = (Decision.Wait) c.decide(far, 1, clock.nanoTime());
        assertThat(farWait.estimatedWaitNanos()).isGreaterThan(nearWait.estimatedWaitNanos());
    }

    @Test
    void eligibleClientsWithoutATokenAreToldTheirPlaceWhichShrinksAsTheLineMoves() {
        AdmissionController c = builder(1.0).newClientRate(1, 1).build();
        long now = clock.nanoTime();
        assertThat(c.decide("first", 1, now)).isEqualTo(Decision.Admit.NEWLY_ADMITTED);

        Decision.Wait a = (Decision.Wait) c.decide("a", 1, now);
        Decision.Wait b = (Decision.Wait) c.decide("b", 1, now);
        Decision.Wait cc = (Decision.Wait) c.decide("c", 1, now);
        assertThat(List.of(a.place(), b.place(), cc.place())).containsExactly(1L, 2L, 3L);
        assertThat(a.eligible()).isTrue();
        // At one new client per second, the third in line waits about three seconds.
        assertThat(cc.estimatedWaitNanos()).isBetween(2_000_000_000L, 3_000_000_000L);
        assertThat(cc.estimatedWaitNanos()).isGreaterThan(b.estimatedWaitNanos());

        clock.advance(Duration.ofSeconds(1));
        assertThat(c.decide("a", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        Decision.Wait cLater = (Decision.Wait) c.decide("c", 1, clock.nanoTime());
        assertThat(cLater.place()).isEqualTo(2);
        assertThat(cLater.estimatedWaitNanos()).isLessThan(cc.estimatedWaitNanos());
    }

    @Test
    void fullLineRejectsNewcomersWithQueueFull() {
        AdmissionController c = builder(1.0)
                .newClientRate(1, 1)
                .waiting(2, Duration.ofMinutes(1))
                .build();
        long now = clock.nanoTime();
        c.decide("first", 1, now);
        c.decide("a", 1, now);
        c.decide("b", 1, now);

        assertThat(c.decide("c", 1, now)).isInstanceOfSatisfying(Decision.Reject.class, r -> assertThat(r.reason())
                .isEqualTo(Decision.RejectReason.QUEUE_FULL));
        assertThat(c.counters().rejects(1, Decision.RejectReason.QUEUE_FULL)).isEqualTo(1);
    }

    @Test
    void redGateAndStoppedAdmissionsRejectNewcomersButKeepAdmittedClients() {
        HealthSignal health =
                HealthSignal.create(HealthThresholds.builder().minRequests(10).build(), clock);
        AdmissionController c = AdmissionController.builder(plan(1.0), clock)
                .health(health)
                .newClientRate(1000, 1000)
                .build();
        assertThat(c.decide("admitted", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);

        for (int i = 0; i < 20; i++) {
            health.recordError(1_000_000);
        }
        clock.advance(Duration.ofMillis(100));
        assertThat(c.tick(clock.nanoTime()).colour()).isEqualTo(GateColour.RED);

        assertThat(c.decide("newcomer", 1, clock.nanoTime()))
                .isInstanceOfSatisfying(Decision.Reject.class, r -> assertThat(r.reason())
                        .isEqualTo(Decision.RejectReason.UPSTREAM_UNHEALTHY));
        assertThat(c.decide("admitted", 1, clock.nanoTime())).isEqualTo(Decision.Admit.ALREADY_ADMITTED);
        assertThat(c.effectiveRate()).isZero();

        AdmissionController breakerOpen = builder(1.0).newClientRate(1000, 1000).build();
        breakerOpen.stopNewAdmissions(true);
        assertThat(breakerOpen.decide("x", 1, clock.nanoTime())).isInstanceOf(Decision.Reject.class);
        breakerOpen.stopNewAdmissions(false);
        assertThat(breakerOpen.decide("x", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
    }

    @Test
    void whileRedNewcomersAreToldToAskAgainOnceTheGateCouldRecoverNotInAMinute() {
        HealthSignal health = redAfterTwentyErrors();
        AdmissionController c = controllerJudgedBy(health, 10);
        turnRed(c, health);

        Decision.Reject reject = (Decision.Reject) c.decide("newcomer", 1, clock.nanoTime());

        // The default recovery hold (2 s) plus one window (1 s).
        assertThat(reject.retryAfterSeconds()).isEqualTo(3);
    }

    @Test
    void whileRedAClientFarBackInLineIsToldToAskAgainWhenItsPlaceCouldComeNotWhenTheGateCouldRecover() {
        HealthSignal health = redAfterTwentyErrors();
        AdmissionController c = controllerJudgedBy(health, 1);
        assertThat(c.decide("first", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        for (int i = 0; i < 1000; i++) {
            assertThat(c.decide("waiting-" + i, 1, clock.nanoTime()))
                    .as("the bucket is empty: everyone after the first waits in line")
                    .isInstanceOf(Decision.Wait.class);
        }
        turnRed(c, health);

        Decision.Reject front = (Decision.Reject) c.decide("waiting-0", 1, clock.nanoTime());
        Decision.Reject back = (Decision.Reject) c.decide("waiting-999", 1, clock.nanoTime());
        Decision.Reject newcomer = (Decision.Reject) c.decide("newcomer", 1, clock.nanoTime());

        assertThat(front.retryAfterSeconds())
                .as("first in line: when the gate could be green again (hold 2 s + window 1 s)")
                .isEqualTo(3);
        assertThat(back.retryAfterSeconds())
                .as("999 ahead of it at the operator's 100/s: not before 10 s, however soon the gate recovers")
                .isEqualTo(10);
        assertThat(newcomer.retryAfterSeconds())
                .as("a newcomer takes its place behind the 1,000 in line: 1,000 ahead at 100/s")
                .isEqualTo(10);
        c.tick(clock.advanceNanos(1_000_000L));
        Decision.Reject again = (Decision.Reject) c.decide("waiting-999", 1, clock.nanoTime());
        assertThat(again.retryAfterSeconds()).as("it kept its place").isEqualTo(10);
    }

    @Test
    void whileRedNewcomersDoNotJoinAFullLineAndPushNobodyOutOfIt() {
        HealthSignal health = redAfterTwentyErrors();
        AdmissionController c = AdmissionController.builder(plan(1.0), clock)
                .health(health)
                .newClientRate(100, 1)
                .waiting(1_000, Duration.ofMinutes(5))
                .retryAfter(RetryAfter.of(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0))
                .build();
        assertThat(c.decide("first", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        for (int i = 0; i < 1000; i++) {
            assertThat(c.decide("waiting-" + i, 1, clock.nanoTime())).isInstanceOf(Decision.Wait.class);
        }
        turnRed(c, health);

        for (int i = 0; i < 500; i++) {
            assertThat(c.decide("newcomer-" + i, 1, clock.nanoTime())).isInstanceOf(Decision.Reject.class);
        }
        c.tick(clock.advanceNanos(1_000_000_000L));

        assertThat(c.waitingClients()).as("the line holds at most its 1,000").isEqualTo(1_000);
        Decision.Reject front = (Decision.Reject) c.decide("waiting-0", 1, clock.nanoTime());
        assertThat(front.retryAfterSeconds())
                .as("the first in the full line keeps its place: when the gate could recover")
                .isEqualTo(3);
        Decision.Reject back = (Decision.Reject) c.decide("waiting-999", 1, clock.nanoTime());
        assertThat(back.retryAfterSeconds())
                .as("still 999 ahead of it at 100/s: nobody was pushed out of the line by the newcomers")
                .isEqualTo(10);
    }

    /** A gate that judges 10 outcomes or more, against absolute thresholds only. */
    private HealthSignal redAfterTwentyErrors() {
        return HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .learnBaselineSamples(0)
                        .build(),
                clock);
    }

    /** Everyone open, 100 new clients a second with this burst, Retry-After without jitter. */
    private AdmissionController controllerJudgedBy(HealthSignal health, int burst) {
        return AdmissionController.builder(plan(1.0), clock)
                .health(health)
                .newClientRate(100, burst)
                .retryAfter(RetryAfter.of(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0))
                .build();
    }

    private void turnRed(AdmissionController c, HealthSignal health) {
        for (int i = 0; i < 20; i++) {
            health.recordError(1_000_000);
        }
        assertThat(c.tick(clock.advanceNanos(100_000_000L)).colour()).isEqualTo(GateColour.RED);
    }

    @Test
    void placesAreEstimatedAtHalfTheOperatorsRateAtLeastWhileTheRateInForceIsHeldBack() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(4));
        AdmissionController c = builder(1.0)
                .newClientRate(100, 1)
                .limiter(limiter)
                .fullRateBelowOccupancy(0.5)
                .build();
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
        }
        for (int t = 0; t < 30; t++) {
            c.tick(clock.advanceNanos(100_000_000L));
        }
        assertThat(c.effectiveRate())
                .as("the limit is full: nobody new for now")
                .isZero();
        for (int i = 0; i < 199; i++) {
            c.decide("ahead-" + i, 1, clock.nanoTime());
        }

        Decision.Wait wait = (Decision.Wait) c.decide("two-hundredth", 1, clock.nanoTime());

        assertThat(wait.place()).isEqualTo(200);
        // 200 places at 50 per second (half of 100), not "never" (the one-minute ceiling).
        assertThat(wait.estimatedWaitNanos()).isEqualTo(4_000_000_000L);
    }

    @Test
    void amberGateHalvesTheNewClientRateAndGreenRestoresIt() {
        HealthSignal health = HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .recoveryHold(Duration.ZERO)
                        .build(),
                clock);
        AdmissionController c = AdmissionController.builder(plan(1.0), clock)
                .health(health)
                .newClientRate(100, 10)
                .build();
        for (int i = 0; i < 50; i++) {
            health.recordSuccess(Duration.ofMillis(800).toNanos());
        }
        clock.advance(Duration.ofMillis(100));
        assertThat(c.tick(clock.nanoTime()).colour()).isEqualTo(GateColour.AMBER);
        assertThat(c.effectiveRate()).isEqualTo(50.0);
        assertThat(c.operatorRate()).isEqualTo(100.0);

        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) {
            health.recordSuccess(Duration.ofMillis(5).toNanos());
        }
        assertThat(c.tick(clock.nanoTime()).colour()).isEqualTo(GateColour.GREEN);
        assertThat(c.effectiveRate()).isEqualTo(100.0);
    }

    @Test
    void rateChangesTakeEffectAtOnce() {
        AdmissionController c = builder(1.0).newClientRate(0, 1).build();
        long now = clock.nanoTime();
        assertThat(c.decide("a", 1, now)).isInstanceOf(Decision.Wait.class);
        c.setNewClientRate(10, 2);
        // A bucket opened from rate 0 starts empty and fills at the new rate: 2 permits in 200 ms.
        now = clock.advance(Duration.ofMillis(200));
        assertThat(c.decide("a", 1, now)).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        assertThat(c.decide("b", 1, now)).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        assertThat(c.decide("c", 1, now)).isInstanceOf(Decision.Wait.class);
        c.setNewClientRate(1000, 1000);
        now = clock.advance(Duration.ofMillis(1));
        assertThat(c.decide("c", 1, now)).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
        assertThatThrownBy(() -> c.setNewClientRate(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.operatorRate()).isEqualTo(1000.0);
    }

    @Test
    void nobodyNewIsAdmittedWhileTheUpstreamIsAtItsConcurrencyLimit() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(AimdLimit.create(AimdLimit.Config.builder()
                .initialLimit(2)
                .minLimit(1)
                .maxLimit(10)
                .build()));
        AdmissionController c =
                builder(1.0).newClientRate(1000, 1000).limiter(limiter).build();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();

        assertThat(c.decide("newcomer", 1, clock.nanoTime()))
                .isInstanceOfSatisfying(
                        Decision.Wait.class, w -> assertThat(w.eligible()).isTrue());

        limiter.release(1_000_000, false);
        assertThat(c.decide("newcomer", 1, clock.nanoTime())).isEqualTo(Decision.Admit.NEWLY_ADMITTED);
    }

    @Test
    void ticketHolderIsAdmittedEvenWhenTheRampIsClosed() {
        AdmissionController c = builder(0.0).newClientRate(0, 1).build();
        long hash = c.cohortHash().hash("returning-agent");
        assertThat(c.admitTicketHolder(hash, 1, clock.nanoTime())).isEqualTo(Decision.Admit.ALREADY_ADMITTED);
        assertThat(c.decide("returning-agent", 1, clock.nanoTime())).isEqualTo(Decision.Admit.ALREADY_ADMITTED);
    }

    @Test
    void idleAdmittedClientsAreForgottenByTheTick() {
        AdmissionController c = builder(1.0)
                .newClientRate(1000, 1000)
                .admitted(100, Duration.ofMinutes(10))
                .build();
        c.decide("idle", 1, clock.nanoTime());
        assertThat(c.admittedClients()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(11));
        c.tick(clock.nanoTime());
        assertThat(c.admittedClients()).isZero();
    }

    @Test
    void retryAfterIsJitteredWithinItsBoundsSoWaitersDoNotReturnInOneWave() {
        RetryAfter retry = RetryAfter.of(Duration.ofSeconds(1), Duration.ofSeconds(120), 0.2);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            int seconds = retry.seconds(Duration.ofSeconds(50).toNanos());
            assertThat(seconds).isBetween(40, 60);
            seen.add(seconds);
        }
        assertThat(seen.size()).isGreaterThan(10);
        assertThat(retry.seconds(0)).isBetween(1, 2);
        assertThat(retry.seconds(Long.MAX_VALUE)).isBetween(96, 144);
        assertThatThrownBy(() -> RetryAfter.of(Duration.ZERO, Duration.ofSeconds(1), 0.1))
                .hasMessageContaining("retryAfter.min");
    }

    @Test
    void builderRefusesAnOptionSetTwice() {
        AdmissionController.Builder b = builder(1.0).newClientRate(1, 1);
        assertThatThrownBy(() -> b.newClientRate(2, 2)).hasMessageContaining("newClientRate was already set");
    }

    @Test
    void admittedPathAllocatesNothing() {
        AdmissionController c = builder(1.0).newClientRate(1_000_000, 1_000_000).build();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add("client-" + i);
            c.decide(keys.get(i), 1, clock.nanoTime());
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int round = 0; round < 20; round++) {
            for (String key : keys) {
                c.decide(key, 1, clock.nanoTime());
            }
        }
        long before = threads.getThreadAllocatedBytes(thread);
        int admitted = 0;
        for (int round = 0; round < 100; round++) {
            for (String key : keys) {
                if (c.decide(key, 1, clock.nanoTime()) == Decision.Admit.ALREADY_ADMITTED) {
                    admitted++;
                }
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(admitted).isEqualTo(100_000);
        // 100,000 decisions; a single allocation per decision would be at least 1.6 MB.
        assertThat(allocated).isLessThan(64 * 1024);
    }

    @Test
    void metricsReportDecisionsByClassAndOutcome() {
        AdmissionController c = builder(1.0).newClientRate(1, 1).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AdmissionMetrics(c).bindTo(registry);
        long now = clock.nanoTime();
        c.decide("a", 1, now);
        c.decide("a", 1, now);
        c.decide("b", 1, now);
        c.decide("r", 0, now);

        assertThat(registry.get("readmit.admissions")
                        .tags("class", "everyone", "outcome", "admit", "reason", "newly_admitted")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("readmit.admissions")
                        .tags("class", "everyone", "outcome", "admit", "reason", "already_admitted")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("readmit.admissions")
                        .tags("class", "everyone", "outcome", "wait")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("readmit.admissions")
                        .tags("class", "restores", "outcome", "admit", "reason", "always_open")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get("readmit.open.fraction")
                        .tag("class", "everyone")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(registry.get("readmit.admitted.clients").gauge().value()).isEqualTo(1.0);
    }
}
