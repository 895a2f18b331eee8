package dev.readmit.gateway.control;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's {@link UpstreamObserver} backed by admission-core: a slot is a permit of the adaptive
 * {@link ConcurrencyLimiter}; every outcome feeds the {@link HealthSignal} (which moves the ramp), the
 * circuit breaker (which stops new admissions while open) and the upstream latency histogram.
 *
 * <p>The gate judges what an admitted client waits for at the gateway: a request's time parked for a
 * slot plus the upstream's latency. The limit and the breaker get the upstream's latency alone (the
 * gradient compares the upstream's round trips). Why: with the slot wait left out, the gate saw a
 * healthy upstream while requests queued at the gateway for hundreds of milliseconds, kept admitting,
 * and the storm's per-second p99 reached 12 times the steady state (issue 6).
 *
 * <p>Requests that find the limiter full park in one FIFO shared by every event loop; each slot given
 * back is handed to the oldest waiter still there. Lock-free: a {@link ConcurrentLinkedQueue} and the
 * limiter's CAS.
 */
final class HealthGuard implements UpstreamObserver {

    private final ConcurrencyLimiter limiter;
    private final HealthSignal health;
    private final CircuitBreaker breaker;
    /** Applies a breaker state change to the controller (a {@link BreakerWatch}). */
    private final Runnable breakerCheck;

    private final Timer upstreamLatency;
    private final ConcurrentLinkedQueue<SlotWaiter> parked = new ConcurrentLinkedQueue<>();

    HealthGuard(
            ConcurrencyLimiter limiter,
            HealthSignal health,
            CircuitBreaker breaker,
            Runnable breakerCheck,
            Timer upstreamLatency) {
        this.limiter = limiter;
        this.health = health;
        this.breaker = breaker;
        this.breakerCheck = breakerCheck;
        this.upstreamLatency = upstreamLatency;
    }

    @Override
    public boolean tryAcquireSlot() {
        return limiter.tryAcquire();
    }

    @Override
    public void awaitSlot(SlotWaiter waiter) {
        parked.add(waiter);
        // A slot may have come free between the failed tryAcquireSlot and the add: hand it over now,
        // so that a parked request is never stranded while the upstream is idle.
        handOver();
    }

    @Override
    public void responseReceived(int status, long latencyNanos) {
        responseReceived(status, latencyNanos, 0);
    }

    @Override
    public void responseReceived(int status, long latencyNanos, long slotWaitNanos) {
        if (status >= 500) {
            limiter.release(latencyNanos, true);
            health.recordError(latencyNanos + slotWaitNanos);
            breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
        } else {
            limiter.release(latencyNanos, false);
            health.recordSuccess(latencyNanos + slotWaitNanos);
            breaker.onSuccess(latencyNanos, TimeUnit.NANOSECONDS);
        }
        breakerCheck.run();
        upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        handOver();
    }

    @Override
    public void requestFailed(UpstreamFailure.Kind kind, long latencyNanos) {
        switch (kind) {
            case TIMEOUT -> {
                limiter.release(latencyNanos, true);
                health.recordTimeout(latencyNanos);
                breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
            }
            case UNREACHABLE -> {
                limiter.release(latencyNanos, true);
                health.recordError(latencyNanos);
                breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
            }
                // The gateway's own connection pool was full: no verdict on the upstream.
            case BUSY -> limiter.releaseWithoutSample();
        }
        breakerCheck.run();
        handOver();
    }

    @Override
    public void requestAbandoned(long latencyNanos) {
        limiter.releaseWithoutSample();
        handOver();
    }

    private void handOver() {
        while (!parked.isEmpty() && limiter.tryAcquire()) {
            SlotWaiter next = parked.poll();
            if (next == null || !next.takeSlot()) {
                // Nobody left to take it, or its client has gone: the slot goes back.
                limiter.releaseWithoutSample();
                if (next == null) {
                    return;
                }
            }
        }
    }

    /** Requests waiting for a slot now. */
    int parkedRequests() {
        return parked.size();
    }

    /** The breaker's error: one preallocated instance, no stack trace (it is a signal, not a bug). */
    static final class UpstreamError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final UpstreamError INSTANCE = new UpstreamError();

        private UpstreamError() {
            super("upstream error or timeout", null, false, false);
        }
    }
}
