package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class SimConfigTest {

    @Test
    void capacityIsWorkersOverTheMeanServiceTime() {
        SimConfig config = SimConfig.builder()
                .workers(32)
                .serviceTime(ServiceTimeDistribution.lognormal(Duration.ofMillis(16), 0.5))
                .build();

        assertThat(config.capacityPerSecond()).isCloseTo(2000, within(1e-9));
        assertThat(config.describe())
                .isEqualTo("32 workers, service time lognormal:mean=16ms,sigma=0.5, capacity 2000.0 req/s,"
                        + " queue limit 1000, timeout 5s, collapse off");
    }

    @Test
    void reportsEveryInvalidFieldAtOnce() {
        SimConfig.Builder builder = SimConfig.builder()
                .workers(0)
                .queueLimit(-1)
                .timeout(Duration.ZERO)
                .collapseFactor(Double.NaN)
                .ioThreads(0);

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid simulated upstream config: workers: must be at least 1, got 0;"
                        + " serviceTime: required (e.g. ServiceTimeDistribution.lognormal(16ms, 0.5));"
                        + " queueLimit: must be 0 or more, got -1; timeout: must be positive, got PT0S;"
                        + " collapseFactor: must be 0 (off) or a positive number, got NaN;"
                        + " ioThreads: must be at least 1, got 0");
    }

    @Test
    void refusesAnOptionSetTwice() {
        SimConfig.Builder builder = SimConfig.builder().workers(4);

        assertThatThrownBy(() -> builder.workers(8))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("workers was already set; cannot set it again to 8");
    }
}
