package dev.readmit.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.gateway.proxy.UpstreamFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class HealthGuardTest {

    private final List<String> changes = new ArrayList<>();
    private final CircuitBreaker breaker = CircuitBreaker.of(
            "test",
            CircuitBreakerConfig.custom()
                    .failureRateThreshold(50)
                    .minimumNumberOfCalls(2)
                    .slidingWindowSize(2)
                    .waitDurationInOpenState(Duration.ofHours(1))
                    .build());
    private final HealthGuard guard = newGuard();

    private HealthGuard newGuard() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(100));
        HealthSignal health = HealthSignal.create(HealthThresholds.ofDefaults(), new ManualClock(0), limiter);
        Timer latency = Timer.builder("latency").register(new SimpleMeterRegistry());
        return new HealthGuard(limiter, health, breaker, latency, (from, to) -> changes.add(from + " -> " + to));
    }

    private void failOnce() {
        assertThat(guard.tryAcquireSlot()).isTrue();
        guard.requestStarted();
        guard.requestFailed(UpstreamFailure.Kind.UNREACHABLE, 1_000_000);
    }

    private void succeedOnce() {
        assertThat(guard.tryAcquireSlot()).isTrue();
        guard.requestStarted();
        guard.responseReceived(200, 1_000_000);
    }

    @Test
    void reportsTheBreakerOpeningOnceWhenUpstreamFailuresOpenIt() {
        failOnce();
        assertThat(changes).isEmpty();
        failOnce();
        assertThat(breaker.getState()).isEqualTo(State.OPEN);
        assertThat(changes).containsExactly("CLOSED -> OPEN");
        guard.watchBreaker();
        assertThat(changes).containsExactly("CLOSED -> OPEN");
    }

    @Test
    void reportsNothingWhileResponsesSucceed() {
        for (int i = 0; i < 10; i++) {
            succeedOnce();
        }
        guard.watchBreaker();
        assertThat(changes).isEmpty();
    }

    @Test
    void reportsChangesNoRequestMadeWhenWatched() {
        breaker.transitionToForcedOpenState();
        assertThat(changes).isEmpty();
        guard.watchBreaker();
        assertThat(changes).containsExactly("CLOSED -> FORCED_OPEN");
        breaker.transitionToClosedState();
        succeedOnce();
        assertThat(changes).containsExactly("CLOSED -> FORCED_OPEN", "FORCED_OPEN -> CLOSED");
    }
}
