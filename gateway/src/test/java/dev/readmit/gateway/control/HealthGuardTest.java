package dev.readmit.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthSnapshot;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class HealthGuardTest {

    private static final long MILLI = 1_000_000L;

    private final ManualClock clock = new ManualClock();
    private final ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(2));
    private final HealthSignal health = HealthSignal.create(
            HealthThresholds.builder()
                    .window(Duration.ofSeconds(1))
                    .minRequests(10)
                    .amberErrorRate(0.01)
                    .redErrorRate(0.05)
                    .build(),
            clock,
            limiter);
    private final CircuitBreaker breaker = CircuitBreaker.of(
            "upstream",
            CircuitBreakerConfig.custom()
                    .failureRateThreshold(50)
                    .minimumNumberOfCalls(4)
                    .slidingWindowSize(4)
                    .build());
    private final Timer latency = Timer.builder("latency").register(new SimpleMeterRegistry());
    private final HealthGuard guard = new HealthGuard(limiter, health, breaker, 4, latency);
    private final List<String> granted = new ArrayList<>();

    /** A parked request that records when it is handed a slot; {@code present} false: its client left. */
    private UpstreamObserver.SlotWaiter waiter(String name, boolean present) {
        return () -> {
            granted.add(name);
            return present;
        };
    }

    /** {@code total} requests through the guard, {@code errors} of them answered 500. */
    private void outcomes(int total, int errors) {
        for (int i = 0; i < total; i++) {
            assertThat(guard.tryAcquireSlot()).isTrue();
            guard.responseReceived(i < errors ? 500 : 200, MILLI);
        }
    }

    @Test
    void givesSlotsUpToTheLimitThenHandsFreedSlotsToParkedRequestsInArrivalOrder() {
        assertThat(guard.tryAcquireSlot()).isTrue();
        assertThat(guard.tryAcquireSlot()).isTrue();
        assertThat(guard.tryAcquireSlot()).as("third request at a limit of 2").isFalse();
        guard.awaitSlot(waiter("a", true));
        guard.awaitSlot(waiter("b", true));
        assertThat(granted).isEmpty();
        assertThat(guard.parkedRequests()).isEqualTo(2);

        guard.responseReceived(200, MILLI);
        assertThat(granted).containsExactly("a");
        guard.requestFailed(UpstreamFailure.Kind.UNREACHABLE, MILLI);
        assertThat(granted).containsExactly("a", "b");
        assertThat(guard.parkedRequests()).isZero();
        assertThat(limiter.inFlight()).as("both slots now held by a and b").isEqualTo(2);
    }

    @Test
    void parkedRequestWhoseClientLeftPassesItsSlotToTheNextOne() {
        guard.tryAcquireSlot();
        guard.tryAcquireSlot();
        guard.awaitSlot(waiter("gone", false));
        guard.awaitSlot(waiter("next", true));

        guard.requestAbandoned(MILLI);

        assertThat(granted).containsExactly("gone", "next");
        assertThat(limiter.inFlight()).isEqualTo(2);
    }

    @Test
    void parkedRequestGetsASlotThatCameFreeWhileItWasParking() {
        guard.tryAcquireSlot();
        guard.tryAcquireSlot();
        guard.responseReceived(200, MILLI);
        guard.awaitSlot(waiter("late", true));
        assertThat(granted).containsExactly("late");
    }

    @Test
    void upstreamErrorsTurnTheGateAmberThenRed() {
        outcomes(100, 0);
        assertThat(health.evaluate(clock.nanoTime()).colour()).isEqualTo(GateColour.GREEN);

        outcomes(100, 6);
        assertThat(health.evaluate(clock.nanoTime()).colour())
                .as("3%% errors over the window")
                .isEqualTo(GateColour.AMBER);

        outcomes(100, 30);
        assertThat(health.evaluate(clock.nanoTime()).colour())
                .as("12%% errors over the window")
                .isEqualTo(GateColour.RED);
    }

    @Test
    void timeoutsAndRefusalsCountAsErrorsButAFullConnectionPoolDoesNot() {
        for (UpstreamFailure.Kind kind : UpstreamFailure.Kind.values()) {
            guard.tryAcquireSlot();
            guard.requestFailed(kind, MILLI);
        }
        guard.tryAcquireSlot();
        guard.requestAbandoned(MILLI);
        HealthSnapshot snapshot = health.evaluate(clock.nanoTime());
        assertThat(snapshot.requests())
                .as("outcomes that say something about the upstream")
                .isEqualTo(2);
        assertThat(snapshot.errors()).isEqualTo(1);
        assertThat(snapshot.timeouts()).isEqualTo(1);
        guard.feedBreaker();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(2);
        assertThat(limiter.inFlight()).as("every slot given back").isZero();
    }

    @Test
    void failingResponsesOpenTheCircuitBreakerOnceTheTickerFeedsIt() {
        outcomes(4, 1);
        guard.feedBreaker();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        outcomes(4, 2);
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls())
                .as("nothing reaches the breaker on the request path")
                .isEqualTo(4);
        guard.feedBreaker();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void theBreakerIsFedAtMostItsWindowPerTickWithTheTicksShareOfErrors() {
        // The window holds 4 calls whatever is fed, so the calls fed are counted by their events.
        int[] fed = new int[2];
        breaker.getEventPublisher().onSuccess(e -> fed[0]++).onError(e -> fed[1]++);
        outcomes(100, 50);
        guard.feedBreaker();
        assertThat(fed[0] + fed[1]).as("its window: 4 calls, not 100").isEqualTo(4);
        assertThat(fed[1]).as("half of them errors").isEqualTo(2);
        guard.feedBreaker();
        assertThat(fed[0] + fed[1]).as("nothing new, nothing fed").isEqualTo(4);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aSingleErrorAmongManySuccessesIsNotLostToRounding() {
        CircuitBreaker wide = CircuitBreaker.of(
                "wide",
                CircuitBreakerConfig.custom()
                        .minimumNumberOfCalls(10)
                        .slidingWindowSize(10)
                        .build());
        HealthGuard fed = new HealthGuard(limiter, health, wide, 10, latency);
        for (int i = 0; i < 1000; i++) {
            assertThat(fed.tryAcquireSlot()).isTrue();
            fed.responseReceived(i == 500 ? 500 : 200, MILLI);
        }
        fed.feedBreaker();
        assertThat(wide.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void everyUpstreamAnswerIsTimed() {
        guard.tryAcquireSlot();
        guard.responseReceived(200, 3 * MILLI);
        guard.tryAcquireSlot();
        guard.requestFailed(UpstreamFailure.Kind.TIMEOUT, 5 * MILLI);
        assertThat(latency.count())
                .as("answers timed (a timeout is not an answer)")
                .isEqualTo(1);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3.0);
    }

    @Test
    void theGateJudgesTheSlotWaitWithTheUpstreamLatencyAndTheLimitTheUpstreamAlone() {
        List<Long> samples = new ArrayList<>();
        ConcurrencyLimiter recorded = ConcurrencyLimiter.create(new Limit() {
            @Override
            public int currentLimit() {
                return 2;
            }

            @Override
            public void onSample(long rttNanos, int inFlight, boolean dropped) {
                samples.add(rttNanos);
            }
        });
        HealthSignal gate = HealthSignal.create(
                HealthThresholds.builder()
                        .minRequests(10)
                        .baselineP99(Duration.ofMillis(20))
                        .build(),
                clock);
        HealthGuard parked = new HealthGuard(recorded, gate, breaker, 4, latency);
        for (int i = 0; i < 20; i++) {
            assertThat(parked.tryAcquireSlot()).isTrue();
            // 60 ms parked at the gateway for a slot, then 15 ms at the upstream.
            parked.responseReceived(200, 15 * MILLI, 60 * MILLI);
        }

        HealthSnapshot snapshot = gate.evaluate(clock.advanceNanos(100 * MILLI));

        assertThat(samples).hasSize(20).allMatch(rtt -> rtt == 15 * MILLI);
        assertThat(snapshot.p99Nanos()).isBetween(74 * MILLI, 76 * MILLI);
        assertThat(snapshot.colour())
                .as("the upstream alone is within its baseline; what clients wait is 3.75x")
                .isEqualTo(GateColour.RED);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS))
                .as("the upstream's latency")
                .isEqualTo(300.0);
    }
}
