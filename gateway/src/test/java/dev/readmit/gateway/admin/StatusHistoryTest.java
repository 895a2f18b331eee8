package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.admission.AdmissionController;
import dev.readmit.gateway.LeakCheckExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckExtension.class)
final class StatusHistoryTest {

    @TempDir
    Path dir;

    private static StatusSample sample(long at) {
        return new StatusSample(at, Map.of("everyone", 10.0), at, 0, 0, 0, 0, 0, "green");
    }

    @Test
    void keepsTheNewestSamplesOldestFirstAndDropsTheOldestWhenFull() {
        StatusHistory history = new StatusHistory(3);
        for (long at = 1; at <= 5; at++) {
            history.add(sample(at));
        }
        assertThat(history.samples()).extracting(StatusSample::atMillis).containsExactly(3L, 4L, 5L);
    }

    @Test
    void holdsFifteenMinutesOfOneSamplePerSecond() {
        StatusHistory history = new StatusHistory(StatusHistory.FIFTEEN_MINUTES);
        for (long at = 0; at < 1000; at++) {
            history.add(sample(at));
        }
        assertThat(history.samples()).hasSize(900);
        assertThat(history.samples().get(0).atMillis()).isEqualTo(100L);
    }

    @Test
    void refusesAnEmptyRing() {
        assertThatThrownBy(() -> new StatusHistory(0)).hasMessageContaining("at least 1");
    }

    @Test
    void theAdmissionRateIsNewAdmissionsOverTheTimeBetweenSamples() throws Exception {
        try (AdminFixture f = new AdminFixture(dir)) {
            f.post("/ramp/open", "{\"class\":\"everyone\",\"percent\":100}", AdminFixture.TOKEN);
            AdmissionController c = f.admission.controller();
            int everyone = c.plan().classIndex("everyone");
            f.admin.sampleNow();
            for (int i = 0; i < 10; i++) {
                c.decide("client-" + i, everyone, f.clock.nanoTime());
            }
            f.clock.advance(Duration.ofSeconds(2));
            f.admin.sampleNow();

            JsonNode history = AdminFixture.json(f.get("/history"));
            assertThat(history.get("capacity").asInt()).isEqualTo(900);
            JsonNode samples = history.get("samples");
            assertThat(samples).hasSize(2);
            JsonNode last = samples.get(1);
            assertThat(last.get("admissionsPerSecond").asDouble()).isEqualTo(5.0);
            assertThat(last.get("admitted").asLong()).isEqualTo(10);
            assertThat(last.get("openPercent").get("everyone").asDouble()).isEqualTo(100.0);
            assertThat(last.get("openPercent").get("paying").asDouble()).isEqualTo(20.0);
            assertThat(last.get("gate").asText()).isEqualTo("green");
            assertThat(last.get("atMillis").asLong()).isEqualTo(1_795_435_200_000L);
            assertThat(f.status().get("newClientRate").get("admittedPerSecond").asDouble())
                    .isEqualTo(5.0);
        }
    }
}
