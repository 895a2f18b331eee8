package dev.readmit.admission.ramp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RampShapeTest {

    @Test
    void linearIsAStaircaseOfEqualSteps() {
        RampShape linear = new RampShape.Linear(0.2, 0.6, Duration.ofSeconds(40), 4);

        double[] fractions =
                linear.ladder().stream().mapToDouble(RampShape.Step::fraction).toArray();
        assertThat(fractions).containsExactly(new double[] {0.2, 0.3, 0.4, 0.5, 0.6}, within(1e-12));
        assertThat(fractions[4]).as("the last step is exactly the end").isEqualTo(0.6);
        assertThat(linear.ladder()).extracting(RampShape.Step::hold).startsWith(Duration.ofSeconds(10));
        assertThat(linear.endFraction()).isEqualTo(0.6);
        assertThat(new RampShape.Linear(0, 1, Duration.ofMinutes(10)).ladder()).hasSize(21);
    }

    @Test
    void doublingEndsFullyOpen() {
        RampShape doubling = new RampShape.Doubling(0.01, Duration.ofSeconds(30));

        assertThat(doubling.ladder())
                .extracting(RampShape.Step::fraction)
                .containsExactly(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0);
        assertThat(doubling.endFraction()).isEqualTo(1.0);
    }

    @Test
    void rejectsInvalidShapesNamingTheField() {
        assertThatThrownBy(() -> new RampShape.Linear(0.5, 0.4, Duration.ZERO, 0))
                .hasMessageContaining("to must be in (from, 1]")
                .hasMessageContaining("over must be a positive duration")
                .hasMessageContaining("steps must be in [1, 10000], got 0");
        assertThatThrownBy(() -> new RampShape.Doubling(0, Duration.ofSeconds(1)))
                .hasMessageContaining("start");
        assertThatThrownBy(() -> RampShape.Steps.of(0.5, Duration.ZERO, 0.5, Duration.ZERO))
                .hasMessageContaining("steps must increase strictly in fraction: step 1");
        assertThatThrownBy(() -> RampShape.Steps.of(1.5, Duration.ZERO)).hasMessageContaining("step fraction");
        assertThatThrownBy(() -> RampShape.Steps.of(0.5, "10s"))
                .hasMessageContaining("(Number fraction, Duration hold)");
    }
}
