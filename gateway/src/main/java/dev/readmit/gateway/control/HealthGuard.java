package dev.readmit.gateway.control;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

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
 * <p>The breaker is not fed on the request path: Resilience4j's sliding window either takes a monitor
 * (shared by every event loop) or, lock free, copies its aggregate for every call. Outcomes are counted
 * here ({@link LongAdder}s) and {@link #feedBreaker} hands them over on the ticker, every tick: its
 * window is the last {@code breakerWindow} calls, so at most that many are replayed per tick, with the
 * tick's share of errors spread evenly among them. The breaker thus opens at most one tick (100 ms)
 * later than if it saw each call.
 *
 * <p>Requests that find the limiter full park in one FIFO shared by every event loop; each slot given
 * back is handed to the oldest waiter still there. Lock-free: a {@link ConcurrentLinkedQueue} and the
 * limiter's CAS.
 */
final class HealthGuard implements UpstreamObserver {

    private final ConcurrencyLimiter limiter;
    private final HealthSignal health;
    private final CircuitBreaker breaker;
    private final int breakerWindow;
    /** Outcomes for the breaker, counted on the request path; never reset (the feeder keeps its marks). */
    private final LongAdder breakerSuccesses = new LongAdder();

    private final LongAdder breakerErrors = new LongAdder();
    /** What {@link #feedBreaker} has handed over so far; touched by the ticker only. */
    private long fedSuccesses;

    private long fedErrors;

    private final Timer upstreamLatency;
    private final ConcurrentLinkedQueue<SlotWaiter> parked = new ConcurrentLinkedQueue<>();

    HealthGuard(
            ConcurrencyLimiter limiter,
            HealthSignal health,
            CircuitBreaker breaker,
            int breakerWindow,
            Timer upstreamLatency) {
        if (breakerWindow < 1) {
            throw new IllegalArgumentException("breakerWindow must be at least 1, got " + breakerWindow);
        }
        this.limiter = limiter;
        this.health = health;
        this.breaker = breaker;
        this.breakerWindow = breakerWindow;
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
            breakerErrors.increment();
        } else {
            limiter.release(latencyNanos, false);
            health.recordSuccess(latencyNanos + slotWaitNanos);
            breakerSuccesses.increment();
        }
        upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        handOver();
    }

    @Override
    public void requestFailed(UpstreamFailure.Kind kind, long latencyNanos) {
        switch (kind) {
            case TIMEOUT -> {
                limiter.release(latencyNanos, true);
                health.recordTimeout(latencyNanos);
                breakerErrors.increment();
            }
            case UNREACHABLE -> {
                limiter.release(latencyNanos, true);
                health.recordError(latencyNanos);
                breakerErrors.increment();
            }
                // The gateway's own connection pool was full: no verdict on the upstream.
            case BUSY -> limiter.releaseWithoutSample();
        }
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

    /**
     * Hands the outcomes counted since the previous call to the breaker: the last {@code breakerWindow}
     * of them at most (all its count-based window holds), with the errors among them in the same share
     * as among all, spread evenly. Called by one thread, the ticker.
     */
    void feedBreaker() {
        long successes = breakerSuccesses.sum();
        long errors = breakerErrors.sum();
        long newSuccesses = successes - fedSuccesses;
        long newErrors = errors - fedErrors;
        fedSuccesses = successes;
        fedErrors = errors;
        long total = newSuccesses + newErrors;
        if (total <= 0) {
            return;
        }
        long calls = Math.min(total, breakerWindow);
        long errorCalls = newErrors == 0 ? 0 : Math.max(1, Math.round((double) newErrors * calls / total));
        long spread = 0;
        for (long i = 0; i < calls; i++) {
            spread += errorCalls;
            if (spread >= calls) {
                spread -= calls;
                breaker.onError(0, TimeUnit.NANOSECONDS, UpstreamError.INSTANCE);
            } else {
                breaker.onSuccess(0, TimeUnit.NANOSECONDS);
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
