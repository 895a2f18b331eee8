package dev.readmit.gateway.control;

import dev.readmit.admission.AdmissionController;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the circuit breaker's state to the controller: new admissions stop while it is open and
 * resume when it is not.
 *
 * <p>Why not Resilience4j's state-transition listener: once any event consumer is registered, the
 * breaker builds an event object (with a {@code ZonedDateTime.now()}) for every recorded call, on the
 * request path. Instead the breaker's state is compared with the last one applied on every ticker
 * tick, right after {@link HealthGuard#feedBreaker} has handed it the tick's outcomes, which also
 * catches the changes that happen without an outcome (the timed open to half-open move, a state
 * forced from outside): each is applied within one tick.
 *
 * <p>Not thread safe: {@link #check} is called by the ticker thread only (created before the ticker
 * starts, so its first state is visible there).
 */
final class BreakerWatch {

    private static final Logger log = LoggerFactory.getLogger(BreakerWatch.class);

    private final CircuitBreaker breaker;
    private final AdmissionController controller;
    private CircuitBreaker.State applied;

    BreakerWatch(CircuitBreaker breaker, AdmissionController controller) {
        this.breaker = breaker;
        this.controller = controller;
        this.applied = breaker.getState();
        controller.stopNewAdmissions(stops(applied));
    }

    /** Applies the breaker's current state if it differs from the one applied last. */
    void check() {
        CircuitBreaker.State before = applied;
        CircuitBreaker.State now = breaker.getState();
        if (now == before) {
            return;
        }
        boolean stop = stops(now);
        controller.stopNewAdmissions(stop);
        applied = now;
        String admissions =
                stop == stops(before) ? (stop ? "still stopped" : "still allowed") : stop ? "stopped" : "resumed";
        log.warn("upstream circuit breaker {} -> {}: new admissions {}", before, now, admissions);
    }

    private static boolean stops(CircuitBreaker.State state) {
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }
}
