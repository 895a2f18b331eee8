package dev.readmit.admission.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class AimdLimitTest {

    private static AimdLimit limit(int initial, int min, int max) {
        return AimdLimit.create(AimdLimit.Config.builder()
                .initialLimit(initial)
                .minLimit(min)
                .maxLimit(max)
                .build());
    }

    @Test
    void halvesOnDrop() {
        AimdLimit limit = limit(40, 2, 100);

        limit.onSample(1_000_000, 40, true);

        assertThat(limit.currentLimit()).isEqualTo(20);
    }

    @Test
    void backsOffOncePerWindowOfSamples() {
        AimdLimit limit = limit(40, 2, 100);

        for (int i = 0; i < 10; i++) {
            limit.onSample(1_000_000, 40, true);
        }
        assertThat(limit.currentLimit())
                .as("a burst of drops is one congestion event")
                .isEqualTo(20);

        for (int i = 0; i < 20; i++) {
            limit.onSample(1_000_000, 5, false);
        }
        limit.onSample(1_000_000, 20, true);
        assertThat(limit.currentLimit())
                .as("a limit's worth of samples later, a drop backs off again")
                .isEqualTo(10);
    }

    @Test
    void growsByAboutOnePerLimitOfSamplesWhileBusy() {
        AimdLimit limit = limit(20, 2, 100);

        for (int i = 0; i < 20; i++) {
            limit.onSample(1_000_000, 20, false);
        }
        assertThat(limit.currentLimit()).isEqualTo(21);

        for (int i = 0; i < 2_000; i++) {
            limit.onSample(1_000_000, limit.currentLimit(), false);
        }
        assertThat(limit.currentLimit()).isBetween(60, 70);
    }

    @Test
    void doesNotGrowWhileLessThanHalfTheLimitIsInUse() {
        AimdLimit limit = limit(20, 2, 100);

        for (int i = 0; i < 1_000; i++) {
            limit.onSample(1_000_000, 9, false);
        }

        assertThat(limit.currentLimit()).isEqualTo(20);
    }

    @Test
    void staysWithinMinAndMax() {
        AimdLimit limit = limit(10, 8, 12);

        for (int i = 0; i < 10_000; i++) {
            limit.onSample(1_000_000, 12, false);
        }
        assertThat(limit.currentLimit()).isEqualTo(12);

        for (int i = 0; i < 100; i++) {
            limit.onSample(1_000_000, 12, true);
            for (int j = 0; j < 12; j++) {
                limit.onSample(1_000_000, 1, false);
            }
        }
        assertThat(limit.currentLimit()).isEqualTo(8);
    }

    @Test
    void recoversAfterBackingOff() {
        AimdLimit limit = limit(64, 4, 64);
        limit.onSample(1_000_000, 64, true);
        assertThat(limit.currentLimit()).isEqualTo(32);

        for (int i = 0; i < 5_000; i++) {
            limit.onSample(1_000_000, limit.currentLimit(), false);
        }

        assertThat(limit.currentLimit()).isEqualTo(64);
    }

    @Test
    void rejectsInvalidConfigNamingEveryField() {
        assertThatThrownBy(() -> new AimdLimit.Config(0, 0, 2_000_000, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minLimit must be at least 1, got 0")
                .hasMessageContaining("maxLimit must be at most 1000000")
                .hasMessageContaining("backoffRatio must be in (0, 1), got 1.5");
        assertThatThrownBy(() -> new AimdLimit.Config(50, 1, 10, 0.5)).hasMessageContaining("initialLimit");
    }

    @Test
    void builderRefusesAnOptionSetTwice() {
        assertThatThrownBy(() -> AimdLimit.Config.builder().minLimit(2).minLimit(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("minLimit was already set to 2");
    }
}
