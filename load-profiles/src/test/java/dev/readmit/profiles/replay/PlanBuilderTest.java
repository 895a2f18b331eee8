package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileReader;
import dev.readmit.profiles.format.Transport;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class PlanBuilderTest {

    /** 200 clients, each with 3 requests 1 s apart, client i starting at i ms. */
    private static Profile recorded() throws Exception {
        StringBuilder sb = new StringBuilder(
                "{\"type\":\"profile\",\"format\":\"readmit-profile/1\",\"name\":\"r\",\"kind\":\"recorded\","
                        + "\"source\":\"t\",\"on_reject\":{\"honour_retry_after\":0.25}}\n");
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 200; i++) {
                sb.append("{\"t_ms\":")
                        .append(k * 1000 + i)
                        .append(",\"client\":\"c")
                        .append(i)
                        .append("\",\"path\":\"/p")
                        .append(k)
                        .append("\"}\n");
            }
        }
        return ProfileReader.read(new StringReader(sb.toString()), "r");
    }

    private static Map<String, PlannedClient> byKey(ReplayPlan plan) {
        return plan.clients().stream().collect(Collectors.toMap(PlannedClient::key, Function.identity()));
    }

    @Test
    void speedDividesEveryIntendedTime() throws Exception {
        Map<String, PlannedClient> normal = byKey(PlanBuilder.build(recorded(), 1, 1, 0));
        Map<String, PlannedClient> fast = byKey(PlanBuilder.build(recorded(), 4, 1, 0));

        assertThat(fast.get("c10").requests())
                .extracting(PlannedRequest::atNanos)
                .containsExactly(2_500_000L, 252_500_000L, 502_500_000L);
        assertThat(normal.get("c10").requests())
                .extracting(PlannedRequest::atNanos)
                .containsExactly(10_000_000L, 1_010_000_000L, 2_010_000_000L);
    }

    @Test
    void scaleClonesWholeClientsUnderNewKeysWithTheirOwnOffsets() throws Exception {
        ReplayPlan plan = PlanBuilder.build(recorded(), 1, 3, 1000);
        Map<String, PlannedClient> clients = byKey(plan);

        assertThat(plan.clients()).hasSize(600);
        assertThat(clients).containsKeys("c7", "c7~1", "c7~2");
        List<Long> original = clients.get("c7").requests().stream()
                .map(PlannedRequest::atNanos)
                .toList();
        for (String clone : List.of("c7~1", "c7~2")) {
            List<PlannedRequest> r = clients.get(clone).requests();
            long shift = r.get(0).atNanos() - original.get(0);
            assertThat(shift).isBetween(0L, 1_000_000_000L);
            // The clone keeps the session's shape: the same gaps, shifted as a whole.
            assertThat(r)
                    .extracting(PlannedRequest::atNanos)
                    .containsExactly(original.get(0) + shift, original.get(1) + shift, original.get(2) + shift);
            assertThat(r).extracting(PlannedRequest::path).containsExactly("/p0", "/p1", "/p2");
        }
        long distinctShifts = plan.clients().stream()
                .filter(c -> c.key().endsWith("~1"))
                .map(c -> c.requests().get(0).atNanos()
                        - byKey(plan).get(c.key().replace("~1", "")).startNanos())
                .distinct()
                .count();
        assertThat(distinctShifts).isGreaterThan(150);
    }

    @Test
    void fractionalScaleAddsAClonePerClientWithThatProbability() throws Exception {
        ReplayPlan plan = PlanBuilder.build(recorded(), 1, 1.5, 1000);

        assertThat(plan.clients().size()).isBetween(260, 340);
    }

    @Test
    void scaleBelowOneKeepsWholeClientsNeverSingleRequests() throws Exception {
        ReplayPlan plan = PlanBuilder.build(recorded(), 1, 0.5, 1000);

        assertThat(plan.clients().size()).isBetween(70, 130);
        assertThat(plan.clients()).allSatisfy(c -> assertThat(c.requests()).hasSize(3));
        assertThat(byKey(PlanBuilder.build(recorded(), 1, 0.5, 1000)).keySet())
                .isEqualTo(byKey(plan).keySet());
    }

    @Test
    void theHonouringShareIsChosenByKey() throws Exception {
        ReplayPlan plan = PlanBuilder.build(recorded(), 1, 1, 0);

        long honouring =
                plan.clients().stream().filter(PlannedClient::honoursRetryAfter).count();
        assertThat(honouring / 200.0).isCloseTo(0.25, within(0.1));
    }

    @Test
    void scaleOfAModelledProfileMultipliesEveryPopulationKeepingAtLeastOneClient() throws Exception {
        Profile backup = BundledProfiles.load("backup-agents-return");

        ReplayPlan plan = PlanBuilder.build(backup, 10, 0.02, 1000);

        Map<String, Long> perClass =
                plan.clients().stream().collect(Collectors.groupingBy(PlannedClient::className, Collectors.counting()));
        assertThat(perClass).containsEntry("bulk", 100L).containsEntry("priority", 1L);
        assertThat(byKey(plan)).containsKeys("agent-00000", "agent-00099", "restore-000");
        // 600 s of model at speed 10: nothing planned after 60 s.
        assertThat(plan.endNanos()).isLessThanOrEqualTo(60_000_000_000L);
    }

    @Test
    void clientsOfALongLivedSessionSpeakItsTransportAndRequestLoopsHttp() throws Exception {
        ReplayPlan chat = PlanBuilder.build(BundledProfiles.load("chat-mass-reconnect"), 5, 0.01, 0);
        ReplayPlan web = PlanBuilder.build(BundledProfiles.load("web-after-maintenance"), 5, 0.01, 0);

        assertThat(chat.clients()).isNotEmpty().allSatisfy(c -> assertThat(c.transport())
                .isEqualTo(Transport.WEBSOCKET));
        assertThat(web.clients()).isNotEmpty().allSatisfy(c -> assertThat(c.transport())
                .isEqualTo(Transport.HTTP));
    }

    @Test
    void theSameProfileSeedSpeedAndScaleGiveTheSamePlan() throws Exception {
        Profile chat = BundledProfiles.load("chat-mass-reconnect");

        assertThat(PlanBuilder.build(chat, 5, 0.01, 0)).isEqualTo(PlanBuilder.build(chat, 5, 0.01, 0));
    }

    @Test
    void keyPatternsPadTheIndex() {
        assertThat(PlanBuilder.key("agent-{i:05}", 42)).isEqualTo("agent-00042");
        assertThat(PlanBuilder.key("u{i}-x", 7)).isEqualTo("u7-x");
    }
}
