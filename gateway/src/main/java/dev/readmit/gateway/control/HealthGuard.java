package dev.readmit.gateway.control;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The proxy's {@link UpstreamObserver} backed by admission-core: a slot is a permit of the adaptive
 * {@link ConcurrencyLimiter}; every outcome feeds the {@link HealthSignal} (which moves the ramp), the
 * circuit breaker (which stops new admissions while open) and the upstream latency histogram.
 *
 * <p>Requests that find the limiter full park in one FIFO shared by every event loop; each slot given
 * back is handed to the oldest waiter still there. Lock-free: a {@link ConcurrentLinkedQueue} and the
 * limiter's CAS.
 *
 * <p>Breaker state changes reach a {@link BreakerListener}: after each call recorded on the breaker the
 * guard compares its state with the last one seen (a volatile read), and {@link #watchBreaker()} does the
 * same for changes no request makes (the timed move from open to half-open). Each change is reported
 * once, in order, by whichever thread saw it first.
 */
final class HealthGuard implements UpstreamObserver {

    private final ConcurrencyLimiter limiter;
    private final HealthSignal health;
    private final CircuitBreaker breaker;
    private final Timer upstreamLatency;
    private final ConcurrentLinkedQueue<SlotWaiter> parked = new ConcurrentLinkedQueue<>();
    private final BreakerListener breakerListener;
    private final AtomicReference<CircuitBreaker.State> breakerState;

    /** Told of each change of the breaker's state; called on whatever thread saw it, so it must be thread-safe. */
    @FunctionalInterface
    interface BreakerListener {
        void stateChanged(CircuitBreaker.State from, CircuitBreaker.State to);
    }

    HealthGuard(
            ConcurrencyLimiter limiter,
            HealthSignal health,
            CircuitBreaker breaker,
            Timer upstreamLatency,
            BreakerListener breakerListener) {
        this.limiter = limiter;
        this.health = health;
        this.breaker = breaker;
        this.upstreamLatency = upstreamLatency;
        this.breakerListener = breakerListener;
        this.breakerState = new AtomicReference<>(breaker.getState());
    }

    /** Reports a change of the breaker's state since the last look, once. */
    void watchBreaker() {
        if (breaker.getState() != breakerState.get()) {
            reportBreakerChange();
        }
    }

    /**
     * Off the hot path (only when the state changed): serialised so that reports of quick successive
     * changes are made in order and the last one made is the breaker's state.
     */
    private synchronized void reportBreakerChange() {
        CircuitBreaker.State now = breaker.getState();
        CircuitBreaker.State seen = breakerState.get();
        if (now != seen) {
            breakerState.set(now);
            breakerListener.stateChanged(seen, now);
        }
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
        if (status >= 500) {
            limiter.release(latencyNanos, true);
            health.recordError(latencyNanos);
            breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
        } else {
            limiter.release(latencyNanos, false);
            health.recordSuccess(latencyNanos);
            breaker.onSuccess(latencyNanos, TimeUnit.NANOSECONDS);
        }
        upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        watchBreaker();
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
        watchBreaker();
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
