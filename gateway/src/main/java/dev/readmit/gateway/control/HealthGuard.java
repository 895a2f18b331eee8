package dev.readmit.gateway.control;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.gateway.proxy.UpstreamGuard;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@link UpstreamGuard} backed by admission-core: a slot is a permit of the adaptive
 * {@link ConcurrencyLimiter}; every outcome feeds the {@link HealthSignal} (which moves the ramp), the
 * circuit breaker (which stops new admissions while open) and the upstream latency histogram.
 *
 * <p>Requests that find the limiter full park in one FIFO shared by every event loop; each release
 * wakes the oldest. Lock-free: a {@link ConcurrentLinkedQueue} and the limiter's CAS.
 */
final class HealthGuard implements UpstreamGuard {

    private final ConcurrencyLimiter limiter;
    private final HealthSignal health;
    private final CircuitBreaker breaker;
    private final Timer upstreamLatency;
    private final ConcurrentLinkedQueue<Runnable> parked = new ConcurrentLinkedQueue<>();

    HealthGuard(ConcurrencyLimiter limiter, HealthSignal health, CircuitBreaker breaker, Timer upstreamLatency) {
        this.limiter = limiter;
        this.health = health;
        this.breaker = breaker;
        this.upstreamLatency = upstreamLatency;
    }

    @Override
    public boolean tryAcquire() {
        return limiter.tryAcquire();
    }

    @Override
    public void release(long latencyNanos, Outcome outcome) {
        switch (outcome) {
            case SUCCESS -> {
                limiter.release(latencyNanos, false);
                health.recordSuccess(latencyNanos);
                breaker.onSuccess(latencyNanos, TimeUnit.NANOSECONDS);
                upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
            }
            case ERROR -> {
                limiter.release(latencyNanos, true);
                health.recordError(latencyNanos);
                breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
                upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
            }
            case TIMEOUT -> {
                limiter.release(latencyNanos, true);
                health.recordTimeout(latencyNanos);
                breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
                upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
            }
            case CANCELLED -> limiter.releaseWithoutSample();
        }
        Runnable next = parked.poll();
        if (next != null) {
            next.run();
        }
    }

    @Override
    public void awaitSlot(Runnable retry) {
        parked.add(retry);
        // A slot may have come free between the failed tryAcquire and the add: check once more, so
        // a parked request is never stranded with the upstream idle.
        if (limiter.inFlight() < limiter.limit()) {
            Runnable next = parked.poll();
            if (next != null) {
                next.run();
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
