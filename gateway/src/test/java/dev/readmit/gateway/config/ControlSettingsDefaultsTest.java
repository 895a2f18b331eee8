package dev.readmit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admission defaults tuned by the storm benchmark (issue 6). */
final class ControlSettingsDefaultsTest {

    private static ControlSettings read(String json) throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        ControlSettings settings = ControlSettings.read((ObjectNode) new ObjectMapper().readTree(json), problems);
        assertThat(problems).isEmpty();
        return settings;
    }

    @Test
    void burstDefaultsToATenthOfASecondOfTheRate() throws Exception {
        assertThat(read("{\"newClientsPerSecond\": 200}").burst()).isEqualTo(20);
        assertThat(read("{\"newClientsPerSecond\": 5}").burst()).isEqualTo(1);
        assertThat(read("{\"newClientsPerSecond\": 200, \"burst\": 150}").burst())
                .isEqualTo(150);
    }

    @Test
    void concurrencyLimitDefaultsToTheLatencyGradient() throws Exception {
        assertThat(read("{}").concurrency().algorithm()).isEqualTo(ControlSettings.LimitAlgorithm.GRADIENT);
        assertThat(read("{\"concurrency\": {\"algorithm\": \"aimd\"}}")
                        .concurrency()
                        .algorithm())
                .isEqualTo(ControlSettings.LimitAlgorithm.AIMD);
    }

    @Test
    void theGateLearnsItsBaselineUnlessOneIsGivenOrLearningIsOff() throws Exception {
        assertThat(read("{}").health().learnsBaseline()).isTrue();
        assertThat(read("{}").health().learnBaselineSamples()).isEqualTo(2_000);
        assertThat(read("{\"health\": {\"baselineP99\": \"50ms\"}}").health().learnsBaseline())
                .isFalse();
        assertThat(read("{\"health\": {\"learnBaselineSamples\": 0}}").health().learnsBaseline())
                .isFalse();
    }

    @Test
    void anEpochSizeOutOfRangeIsReportedWithItsField() throws Exception {
        List<ConfigProblem> problems = new ArrayList<>();
        ControlSettings.read(
                (ObjectNode) new ObjectMapper().readTree("{\"health\": {\"learnBaselineSamples\": -5}}"), problems);
        assertThat(problems).singleElement().asString().contains("health.learnBaselineSamples");
    }

    @Test
    void newClientsComeAtTheFullRateBelowThreeQuartersOfTheLimitByDefault() throws Exception {
        assertThat(read("{}").concurrency().fullRateBelow()).isEqualTo(0.75);
        assertThat(read("{\"concurrency\": {\"fullRateBelow\": 1}}")
                        .concurrency()
                        .fullRateBelow())
                .isEqualTo(1.0);
    }
}
