package dev.readmit.profiles.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.replay.PlanBuilder;
import dev.readmit.profiles.replay.PlannedClient;
import dev.readmit.profiles.replay.PlannedRequest;
import dev.readmit.profiles.replay.ReplayPlan;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Golden files of format version 1: a v1 file must keep reading to the same profile and, for a
 * recorded one, writing back byte for byte; a modelled one must keep giving the same plan. A change that
 * breaks these is a format change and needs a new version.
 */
final class ProfileGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @Test
    void recordedVersionOneReadsAndWritesBackByteForByte() throws Exception {
        Path file = GOLDEN.resolve("v1-recorded.profile.jsonl");
        Profile profile = ProfileReader.read(file);

        StringWriter out = new StringWriter();
        ProfileWriter.writeRecorded(profile, out);

        assertThat(out.toString()).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        assertThat(profile.events()).hasSize(5);
        assertThat(profile.events().get(2))
                .isEqualTo(new RecordedEvent(
                        41.9, "c:11ab09c4e210", "POST", "/api/login", 312, 200, -1, 88.125, "priority"));
        assertThat(profile.clientCount()).isEqualTo(3);
        assertThat(profile.extra()).containsEntry("time_resolution_ms", 1000);
    }

    @Test
    void modelledVersionOneGivesTheSamePlan() throws Exception {
        Profile profile = ProfileReader.read(GOLDEN.resolve("v1-modelled.profile.json"));
        ReplayPlan plan = PlanBuilder.build(profile, 1, 1, 1000);

        StringBuilder text = new StringBuilder();
        for (PlannedClient c : plan.clients()) {
            text.append(String.format(
                    Locale.ROOT,
                    "%s %s %s honours=%s end=%d%n",
                    c.key(),
                    c.className(),
                    c.connection(),
                    c.honoursRetryAfter(),
                    c.endNanos()));
            for (PlannedRequest r : c.requests()) {
                text.append(String.format(
                        Locale.ROOT, "  %d %s %s %d%n", r.atNanos(), r.method(), r.path(), r.bodyBytes()));
            }
        }
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(GOLDEN.resolve("v1-modelled.plan.txt"), text, StandardCharsets.UTF_8);
        }
        assertThat(text.toString())
                .isEqualTo(Files.readString(GOLDEN.resolve("v1-modelled.plan.txt"), StandardCharsets.UTF_8));
        assertThat(plan.clientKey()).isEqualTo(new ClientKeyPlacement(ClientKeyPlacement.Where.QUERY, "client"));
        assertThat(plan.onReject()).isEqualTo(new OnReject(0.5, new RetryPolicy.Immediate(), 4, false));
    }
}
