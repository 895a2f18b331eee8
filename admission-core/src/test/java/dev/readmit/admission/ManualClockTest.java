package dev.readmit.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ManualClockTest {

    @Test
    void movesOnlyWhenAdvanced() {
        ManualClock clock = new ManualClock(5);
        assertThat(clock.nanoTime()).isEqualTo(5);
        assertThat(clock.advance(Duration.ofMillis(2))).isEqualTo(2_000_005);
        assertThat(clock.nanoTime()).isEqualTo(2_000_005);
    }

    @Test
    void refusesToGoBackwards() {
        ManualClock clock = new ManualClock(100);
        assertThatThrownBy(() -> clock.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> clock.setNanos(99)).hasMessageContaining("now=100");
        assertThat(clock.nanoTime()).isEqualTo(100);
    }
}
