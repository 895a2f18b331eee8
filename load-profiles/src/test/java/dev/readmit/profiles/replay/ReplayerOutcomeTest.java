package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ReplayerOutcomeTest {

    private static ReplayPlan plan(int clients, String... paths) {
        List<PlannedClient> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<PlannedRequest> requests = new ArrayList<>();
            for (int i = 0; i < paths.length; i++) {
                requests.add(new PlannedRequest(i * 50_000_000L, "GET", paths[i], 0));
            }
            out.add(new PlannedClient(
                    "k" + c,
                    "web",
                    ConnectionMode.PER_CLIENT,
                    true,
                    requests,
                    requests.get(requests.size() - 1).atNanos(),
                    c));
        }
        return new ReplayPlan(out, ClientKeyPlacement.DEFAULT, OnReject.DEFAULT);
    }

    @Test
    void countsAnUnansweredRequestAsATimeoutAfterTheRequestTimeout() throws Exception {
        try (StubServer stub = new StubServer(s -> s.uri().equals("/hang")
                ? new StubServer.Answer(0, List.of())
                : new StubServer.Answer(s.uri().equals("/missing") ? 404 : 200, List.of()))) {
            ReplayRun run = Replayer.run(
                    plan(3, "/ok", "/missing", "/hang"),
                    ReplayOptions.builder(stub.uri())
                            .requestTimeout(Duration.ofMillis(300))
                            .build());

            assertThat(run.result().summary().responses())
                    .containsEntry("ok", 3L)
                    .containsEntry("client_error", 3L)
                    .containsEntry("timeout", 3L);
            assertThat(run.latencyByTag().get("web/timeout").getMinValue()).isGreaterThanOrEqualTo(300_000);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(3);
        }
    }

    @Test
    void countsARefusedConnectionAsConnectFailed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ReplayRun run = Replayer.run(
                plan(2, "/a"),
                ReplayOptions.builder(URI.create("http://127.0.0.1:" + port)).build());

        assertThat(run.result().summary().responses())
                .containsOnly(org.assertj.core.api.Assertions.entry("connect_failed", 2L));
        assertThat(run.result().summary().clientsAdmitted()).isZero();
        assertThat(run.result().intervals())
                .anySatisfy(p -> assertThat(p.errors()).isPositive());
    }

    @Test
    void holdsARequestWhileItsClientIsAtItsConnectionCap() throws Exception {
        try (StubServer stub = new StubServer(s -> new StubServer.Answer(0, List.of()))) {
            ReplayRun run = Replayer.run(
                    plan(1, "/hang1", "/hang2"),
                    ReplayOptions.builder(stub.uri())
                            .maxConnectionsPerClient(1)
                            .requestTimeout(Duration.ofMillis(300))
                            .build());

            assertThat(run.result().summary().responses()).containsEntry("timeout", 2L);
            assertThat(run.lateForConnection()).isEqualTo(1);
            assertThat(stub.seen).hasSize(2);
            // The second request, due 50 ms after the first, left only once the first timed out.
            assertThat(stub.seen.get(1).receivedNanos() - stub.seen.get(0).receivedNanos())
                    .isGreaterThanOrEqualTo(250_000_000L);
            // Its send lag runs to the hand-off, so the wait shows as the generator's lateness.
            assertThat(run.sendLagMicros().getMaxValue()).isGreaterThanOrEqualTo(200_000);
        }
    }

    @Test
    void leavesTheWarmUpPartOutOfEveryFigure() throws Exception {
        try (StubServer stub = new StubServer(
                s -> s.uri().equals("/early") ? new StubServer.Answer(500, List.of()) : StubServer.Answer.ok())) {
            ReplayRun run = Replayer.run(
                    plan(2, "/early", "/early", "/late", "/late"),
                    ReplayOptions.builder(stub.uri())
                            .warmup(Duration.ofMillis(75))
                            .build());

            assertThat(stub.seen).hasSize(8);
            assertThat(run.plannedRequests()).isEqualTo(4);
            assertThat(run.result().summary().requestsSent()).isEqualTo(4);
            assertThat(run.result().summary().responses())
                    .containsOnly(org.assertj.core.api.Assertions.entry("ok", 4L));
            assertThat(run.sendLagMicros().getTotalCount()).isEqualTo(4);
        }
    }
}
