package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.profiles.format.Arrival;
import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Distribution;
import dev.readmit.profiles.format.Population;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.replay.PlanBuilder;
import dev.readmit.profiles.replay.PlannedClient;
import dev.readmit.profiles.replay.ReplayPlan;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class StormWorkloadTest {

    @Test
    void theStormHasTheAskedClientsAllArrivingWithinTheWindow() throws Exception {
        Profile storm = StormWorkload.derive(
                BundledProfiles.resolve("backup-agents-return"), 1000, Duration.ofSeconds(4), 1.0 / 64);

        Population agents = storm.populations().get(0);
        assertThat(agents.clients()).isEqualTo(1000);
        assertThat(agents.arrival()).isEqualTo(new Arrival.AtOnce(0, 4000, false));
        Population restores = storm.populations().get(1);
        assertThat(restores.clients()).isEqualTo(40);
        assertThat(restores.arrival()).isInstanceOf(Arrival.AtOnce.class);

        ReplayPlan plan = PlanBuilder.build(storm, 1, 1, 1000);
        assertThat(plan.clients()).hasSize(1040);
        assertThat(plan.clients().stream()
                        .mapToLong(PlannedClient::startNanos)
                        .max()
                        .orElseThrow())
                .isLessThanOrEqualTo(Duration.ofSeconds(4).toNanos());
    }

    @Test
    void bodiesShrinkByTheScaleAndEverythingElseStays() throws Exception {
        Profile base = BundledProfiles.resolve("backup-agents-return");
        Profile storm = StormWorkload.derive(base, 5000, Duration.ofSeconds(3), 0.25);

        assertThat(storm.populations().get(0).session().mix().get(0).requestBytes())
                .isEqualTo(new Distribution.LogNormal(524288 * 0.25, 4194304 * 0.25));
        assertThat(storm.populations().get(0).session().requests())
                .isEqualTo(base.populations().get(0).session().requests());
        assertThat(storm.onReject()).isEqualTo(base.onReject());
        assertThat(StormWorkload.scale(new Distribution.Const(512), 0.25)).isEqualTo(new Distribution.Const(128));
    }

    @Test
    void refusesAProfileWithoutAStormAndBadParameters() throws Exception {
        Profile steady = BundledProfiles.resolve("steady-state");
        assertThatThrownBy(() -> StormWorkload.derive(steady, 10, Duration.ofSeconds(1), 1))
                .hasMessageContaining("no at_once population");
        Profile storm = BundledProfiles.resolve("backup-agents-return");
        assertThatThrownBy(() -> StormWorkload.derive(storm, 0, Duration.ofSeconds(1), 1))
                .hasMessageContaining("clients");
        assertThatThrownBy(() -> StormWorkload.derive(storm, 10, Duration.ZERO, 1))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> StormWorkload.derive(storm, 10, Duration.ofSeconds(1), 2))
                .hasMessageContaining("bodyScale");
    }
}
