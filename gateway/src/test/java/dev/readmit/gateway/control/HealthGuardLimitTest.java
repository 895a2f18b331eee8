package dev.readmit.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.health.Limit;
import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The backpressure seam at small scale (issue 6): whatever the order of arrivals and outcomes, the
 * upstream never has more requests in flight than the limit, parked requests get slots in arrival
 * order, and a slot whose request has gone goes back.
 */
final class HealthGuardLimitTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);

    private HealthGuard guard(ConcurrencyLimiter limiter) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new HealthGuard(
                limiter,
                HealthSignal.create(HealthThresholds.ofDefaults(), clock, limiter),
                CircuitBreaker.ofDefaults("upstream"),
                100,
                Timer.builder("t").register(registry));
    }

    /** A request: it is in flight at the upstream from the moment it holds a slot until its outcome. */
    private static final class Request implements UpstreamObserver.SlotWaiter {
        final int id;
        final List<Integer> started;
        boolean gone;
        boolean inFlight;

        Request(int id, List<Integer> started) {
            this.id = id;
            this.started = started;
        }

        @Override
        public boolean takeSlot() {
            if (gone) {
                return false;
            }
            inFlight = true;
            started.add(id);
            return true;
        }
    }

    @Test
    void upstreamNeverHasMoreInFlightThanTheLimitWhateverTheOrder() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(4));
        HealthGuard guard = guard(limiter);
        SplittableRandom random = new SplittableRandom(6);
        List<Integer> started = new ArrayList<>();
        List<Request> all = new ArrayList<>();
        int maxInFlight = 0;
        for (int step = 0; step < 10_000; step++) {
            List<Request> inFlight = all.stream().filter(r -> r.inFlight).toList();
            if (random.nextInt(3) > 0 || inFlight.isEmpty()) {
                Request r = new Request(all.size(), started);
                all.add(r);
                if (guard.tryAcquireSlot()) {
                    r.takeSlot();
                } else {
                    guard.awaitSlot(r);
                }
            } else {
                Request done = inFlight.get(random.nextInt(inFlight.size()));
                done.inFlight = false;
                switch (random.nextInt(4)) {
                    case 0 -> guard.requestFailed(UpstreamFailure.Kind.TIMEOUT, 5_000_000);
                    case 1 -> guard.requestAbandoned(1_000_000);
                    default -> guard.responseReceived(200, 2_000_000);
                }
            }
            long atUpstream = all.stream().filter(r -> r.inFlight).count();
            assertThat(atUpstream).isLessThanOrEqualTo(4).isEqualTo(limiter.inFlight());
            maxInFlight = (int) Math.max(maxInFlight, atUpstream);
        }
        assertThat(maxInFlight).isEqualTo(4);
        assertThat(started).isSorted();
    }

    @Test
    void parkedRequestsGetSlotsInArrivalOrderAndAGoneOneGivesItsSlotOn() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(2));
        HealthGuard guard = guard(limiter);
        List<Integer> started = new ArrayList<>();
        ArrayDeque<Request> parked = new ArrayDeque<>();
        for (int id = 0; id < 6; id++) {
            Request r = new Request(id, started);
            if (guard.tryAcquireSlot()) {
                r.takeSlot();
            } else {
                guard.awaitSlot(r);
                parked.add(r);
            }
        }
        assertThat(started).containsExactly(0, 1);
        assertThat(guard.parkedRequests()).isEqualTo(4);

        parked.peekFirst().gone = true; // request 2's client closed while it waited
        guard.responseReceived(200, 1_000_000);
        assertThat(started).containsExactly(0, 1, 3);
        guard.requestFailed(UpstreamFailure.Kind.UNREACHABLE, 1_000_000);
        assertThat(started).containsExactly(0, 1, 3, 4);
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(guard.parkedRequests()).isEqualTo(1);
    }
}
