package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * The health gate's tuned default for limiter refusals (issue 6): a busy upstream that makes some
 * admitted requests wait a moment for a slot keeps the gate green; one that makes most of them wait
 * turns it amber.
 */
final class HealthGateDefaultsTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    /** {@code requests} requests through a limit of 1, of which {@code waited} found it full first. */
    private HealthSnapshot oneSecondWhere(int requests, int waited) {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(Limit.fixed(1));
        HealthSignal signal = HealthSignal.create(HealthThresholds.ofDefaults(), clock, limiter);
        for (int i = 0; i < requests; i++) {
            if (i < waited) {
                assertThat(limiter.tryAcquire()).isTrue();
                assertThat(limiter.tryAcquire()).isFalse();
                limiter.releaseWithoutSample();
            }
            // The waiting request is handed the slot (or finds it free), and is answered fast.
            assertThat(limiter.tryAcquire()).isTrue();
            limiter.release(15 * MS, false);
            signal.recordSuccess(15 * MS);
        }
        return signal.evaluate(clock.advanceNanos(1_000 * MS));
    }

    @Test
    void staysGreenWhileAQuarterOfAdmittedRequestsWaitForASlot() {
        HealthSnapshot s = oneSecondWhere(100, 25);

        assertThat(s.colour()).isEqualTo(GateColour.GREEN);
    }

    @Test
    void turnsAmberWhenMostAdmittedRequestsWaitForASlot() {
        HealthSnapshot s = oneSecondWhere(100, 60);

        assertThat(s.colour()).isEqualTo(GateColour.AMBER);
        assertThat(s.reason()).contains("amberRejectedRate 25");
    }
}
