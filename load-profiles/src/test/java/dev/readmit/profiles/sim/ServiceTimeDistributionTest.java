package dev.readmit.profiles.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ServiceTimeDistributionTest {

    private static final Duration SIXTEEN_MS = Duration.ofMillis(16);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "16ms                          | constant:16ms",
                "constant:16ms                 | constant:16ms",
                "const                         | constant:16ms",
                "uniform:min=10ms,max=22ms     | uniform:min=10ms,max=22ms",
                "uniform:16ms                  | uniform:min=8ms,max=24ms",
                "exponential:2.5ms             | exponential:2.5ms",
                "exp                           | exponential:16ms",
                "lognormal                     | lognormal:mean=16ms,sigma=0.5",
                "LogNormal:mean=40ms,sigma=0.8 | lognormal:mean=40ms,sigma=0.8",
                "lognormal:sigma=1.2           | lognormal:mean=16ms,sigma=1.2",
            })
    void parsesEveryKindAndDescribesItBackInTheSameForm(String spec, String described) {
        ServiceTimeDistribution distribution = ServiceTimeDistribution.parse(spec, SIXTEEN_MS);

        assertThat(distribution.describe()).isEqualTo(described);
        assertThat(ServiceTimeDistribution.parse(described, null)).isEqualTo(distribution);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "gamma:16ms                       | unknown kind 'gamma': use constant, uniform, exponential or lognormal",
                "lognormal                        | no mean given",
                "lognormal:16ms,shape=2           | unknown parameter 'shape': allowed are mean, sigma",
                "lognormal:16ms,sigma=7           | lognormal sigma must be in (0, 3], got 7.0",
                "lognormal:16ms,sigma=wide        | sigma 'wide' is not a number",
                "uniform:min=20ms,max=10ms        | uniform max 10ms is below min 20ms",
                "uniform:min=20ms                 | give both min and max, or a mean",
                "exponential:16                   | '16' is not a duration",
                "constant:0ms                     | must be positive",
                "exponential:16ms,mean=17ms       | mean is given twice",
            })
    void rejectsBadSpecsSayingWhatIsWrong(String spec, String message) {
        assertThatThrownBy(() -> ServiceTimeDistribution.parse(spec, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(spec)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {"constant:16ms", "uniform:min=2ms,max=30ms", "exponential:16ms", "lognormal:mean=16ms,sigma=0.8"})
    void samplesAverageToTheDeclaredMean(String spec) {
        ServiceTimeDistribution distribution = ServiceTimeDistribution.parse(spec, null);
        SplittableRandom random = new SplittableRandom(7);

        long[] samples = new long[200_000];
        Arrays.setAll(samples, i -> distribution.sampleNanos(random));

        assertThat(Arrays.stream(samples).average().orElseThrow())
                .isCloseTo(distribution.meanNanos(), within(distribution.meanNanos() * 0.01));
        assertThat(Arrays.stream(samples).min().orElseThrow()).isPositive();
    }

    @ParameterizedTest(name = "{0}/s with {1} workers")
    @CsvSource({"2000, 32, 16ms", "100, 1, 10ms", "3, 1, 333.3ms"})
    void derivesTheMeanFromACapacity(double capacity, int workers, String mean) {
        assertThat(DurationText.format(ServiceTimeDistribution.meanFor(capacity, workers)))
                .isEqualTo(mean);
    }
}
