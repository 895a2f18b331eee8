package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class GradientLimitTest {

    private static final long MS = 1_000_000L;

    private static GradientLimit limit(int initial, int min, int max) {
        return GradientLimit.create(GradientLimit.Config.builder()
                .initialLimit(initial)
                .minLimit(min)
                .maxLimit(max)
                .windowSamples(10)
                .build());
    }

    /** Feeds {@code windows} full windows of samples at the current limit (busy upstream). */
    private static void feed(GradientLimit limit, int windows, long rttNanos, boolean dropped) {
        for (int i = 0; i < windows * limit.config().windowSamples(); i++) {
            limit.onSample(rttNanos, limit.currentLimit(), dropped);
        }
    }

    @Test
    void growsWhileLatencyStaysAtItsBaseline() {
        GradientLimit limit = limit(20, 4, 200);

        feed(limit, 30, 10 * MS, false);

        assertThat(limit.currentLimit()).isGreaterThan(35);
        assertThat(limit.baselineRttNanos()).isEqualTo(10 * MS);
    }

    @Test
    void lowersTheLimitWhenLatencyRisesOverItsBaseline() {
        GradientLimit limit = limit(20, 4, 200);
        feed(limit, 30, 10 * MS, false);
        int before = limit.currentLimit();

        feed(limit, 10, 40 * MS, false);

        assertThat(limit.currentLimit()).isLessThan(before * 2 / 3);
        assertThat(limit.lastGradient()).isLessThan(1.0);
    }

    @Test
    void lowersTheLimitWhileAQueueBuildsUpOverManyWindows() {
        GradientLimit limit = GradientLimit.create(GradientLimit.Config.builder()
                .initialLimit(20)
                .minLimit(4)
                .maxLimit(1000)
                .build());
        feed(limit, 30, 10 * MS, false);
        int before = limit.currentLimit();

        // A queue building up at the upstream: 3 % slower every window, 10 ms to 190 ms.
        double rtt = 10 * MS;
        for (int w = 0; w < 100; w++) {
            rtt *= 1.03;
            feed(limit, 1, (long) rtt, false);
        }

        assertThat(limit.currentLimit()).isLessThan(before);
        assertThat(limit.baselineRttNanos()).isLessThan(30 * MS);
    }

    @Test
    void holdsWhileLatencyIsWithinTolerance() {
        GradientLimit limit = limit(20, 4, 200);
        feed(limit, 30, 10 * MS, false);
        int before = limit.currentLimit();

        feed(limit, 3, 12 * MS, false);

        assertThat(limit.currentLimit())
                .as("1.2x the baseline is inside the 1.25 tolerance")
                .isGreaterThanOrEqualTo(before);
    }

    @Test
    void backsOffWhenAWindowHoldsDrops() {
        GradientLimit limit = limit(100, 4, 200);

        for (int i = 0; i < 9; i++) {
            limit.onSample(10 * MS, 100, false);
        }
        limit.onSample(5 * MS, 100, true);

        assertThat(limit.currentLimit()).isEqualTo(90);
    }

    @Test
    void doesNotChangeWhileTheUpstreamIsMostlyIdle() {
        GradientLimit limit = limit(40, 4, 200);

        for (int i = 0; i < 500; i++) {
            limit.onSample(10 * MS, 5, false);
        }

        assertThat(limit.currentLimit()).isEqualTo(40);
    }

    @Test
    void staysWithinMinAndMax() {
        GradientLimit limit = limit(20, 10, 30);
        feed(limit, 200, 10 * MS, false);
        assertThat(limit.currentLimit()).isEqualTo(30);

        feed(limit, 200, 10 * MS, true);
        assertThat(limit.currentLimit()).isEqualTo(10);
    }

    @Test
    void rejectsInvalidConfigNamingEveryField() {
        assertThatThrownBy(() -> new GradientLimit.Config(20, 4, 200, 0, 0, 0.9, 0.0, -1, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowSamples")
                .hasMessageContaining("longWindow")
                .hasMessageContaining("tolerance")
                .hasMessageContaining("smoothing")
                .hasMessageContaining("queueSize")
                .hasMessageContaining("dropBackoff");
    }
}
