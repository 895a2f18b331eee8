package dev.readmit.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class TickingNanoClockTest {

    @Test
    void advancesWithoutBeingAskedAndNeverGoesBackwards() {
        try (TickingNanoClock clock = TickingNanoClock.start(Duration.ofNanos(10_000))) {
            long first = clock.nanoTime();
            long previous = first;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (clock.nanoTime() == first && System.nanoTime() - deadline < 0) {
                long reading = clock.nanoTime();
                assertThat(reading - previous).isNotNegative();
                previous = reading;
                Thread.onSpinWait();
            }
            assertThat(clock.nanoTime() - first).isPositive();
        }
    }

    @Test
    void staysStillAfterClose() {
        TickingNanoClock clock = TickingNanoClock.start(Duration.ofNanos(1_000));
        clock.close();
        long last = clock.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            assertThat(clock.nanoTime()).isEqualTo(last);
        }
        clock.close();
    }

    @Test
    void defaultsToOneHundredMicroseconds() {
        try (TickingNanoClock clock = TickingNanoClock.start()) {
            assertThat(clock.resolution()).isEqualTo(Duration.ofNanos(100_000));
        }
    }

    @Test
    void rejectsAResolutionBelowOneMicrosecond() {
        assertThatThrownBy(() -> TickingNanoClock.start(Duration.ofNanos(999)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resolution must be at least 1 µs");
    }
}
