package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.Await;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.GatewayHarness;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import dev.readmit.profiles.format.RetryPolicy;
import dev.readmit.profiles.format.Transport;
import dev.readmit.profiles.replay.PlannedClient;
import dev.readmit.profiles.replay.PlannedRequest;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.ReplayPlan;
import dev.readmit.profiles.replay.ReplayRun;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replayer's WebSocket and raw TCP clients through a real gateway to the simulated upstream, all on
 * 127.0.0.1: the gateway relays the upgrade and the frames (HTTP mode) or the bytes (TCP mode), and its
 * waiting answers reach the replayer as rejections. Counts only, never how fast.
 */
@ExtendWith(LeakCheckExtension.class)
final class ReplayOverWebSocketAndTcpTest {
    private static final int CLIENTS = 3;
    private static final int MESSAGES = 3;

    private UpstreamSimulator sim;
    private Gateway gateway;
    private AdmittedGateway admitted;

    @BeforeEach
    void startSimulator() {
        sim = UpstreamSimulator.start(SimConfig.builder()
                .workers(8)
                .serviceTime(ServiceTimeDistribution.constant(Duration.ofMillis(1)))
                .tcpListen(new InetSocketAddress("127.0.0.1", 0))
                .ioThreads(1)
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (admitted != null) {
            admitted.close();
        }
        sim.close();
    }

    /** Each client: a connect step, then {@link #MESSAGES} messages 30 ms apart. */
    private static ReplayPlan plan(Transport transport, OnReject onReject) {
        List<PlannedClient> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            long start = c * 5_000_000L;
            List<PlannedRequest> requests = new ArrayList<>();
            requests.add(new PlannedRequest(start, "POST", "/chat/connect", 200));
            for (int m = 1; m <= MESSAGES; m++) {
                requests.add(new PlannedRequest(start + m * 30_000_000L, "POST", "/chat/messages", 120));
            }
            clients.add(new PlannedClient(
                    "user-" + c,
                    "chat",
                    ConnectionMode.PER_CLIENT,
                    false,
                    requests,
                    start + (MESSAGES + 1) * 30_000_000L,
                    c,
                    transport));
        }
        return new ReplayPlan(clients, ClientKeyPlacement.DEFAULT, onReject);
    }

    private static URI target(String scheme, InetSocketAddress address) {
        return URI.create(scheme + "://127.0.0.1:" + address.getPort());
    }

    @Test
    void webSocketClientsAreRelayedFrameByFrameToTheSimulator() throws Exception {
        gateway = GatewayHarness.start("http://127.0.0.1:" + sim.port(), "");
        ReplayRun run = Replayer.run(
                plan(Transport.WEBSOCKET, OnReject.DEFAULT),
                ReplayOptions.builder(target("http", gateway.localAddress())).build());

        int frames = CLIENTS * (1 + MESSAGES);
        assertThat(run.result().summary().responses()).containsOnly(entry("ok", (long) CLIENTS + frames));
        assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
        assertThat(sim.stats().received()).isEqualTo(frames);
    }

    @Test
    void tcpClientsAreRelayedLineByLineInTcpMode() throws Exception {
        gateway = GatewayHarness.start("", "mode: tcp\nupstream:\n  url: tcp://127.0.0.1:" + sim.tcpPort() + "\n");
        ReplayRun run = Replayer.run(
                plan(Transport.TCP, OnReject.DEFAULT),
                ReplayOptions.builder(target("tcp", gateway.localAddress())).build());

        int lines = CLIENTS * (1 + MESSAGES);
        assertThat(run.result().summary().responses()).containsOnly(entry("ok", (long) CLIENTS + lines));
        assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
        assertThat(sim.stats().received()).isEqualTo(lines);
    }

    @Test
    void aClosedGateAnswersTheUpgradeWithAWaitingAnswerThatTheClientsRetry() throws Exception {
        admitted = AdmittedGateway.start(
                "http://127.0.0.1:" + sim.port(),
                "admission:\n  openPercent: 0\n  ramp: {steps: [{percent: 0, hold: 0s}]}\n  newClientsPerSecond: 1000\n",
                new ManualClock());
        OnReject impatient = new OnReject(0.0, new RetryPolicy.Immediate(), 2, true);
        ReplayRun run = Replayer.run(
                plan(Transport.WEBSOCKET, impatient),
                ReplayOptions.builder(target("http", admitted.address())).build());

        assertThat(run.result().summary().responses()).containsOnly(entry("waiting", 2L * CLIENTS));
        assertThat(run.clientsGaveUp()).isEqualTo(CLIENTS);
        assertThat(run.result().summary().clientsAdmitted()).isZero();
        assertThat(sim.stats().received()).as("no frame reached the upstream").isZero();
    }

    @Test
    void aTcpConnectionTheGatewayGivesUpOnIsNotAdmittedAndRetried() throws Exception {
        ManualClock clock = new ManualClock();
        admitted = AdmittedGateway.start(
                "",
                "mode: tcp\nupstream:\n  url: tcp://127.0.0.1:" + sim.tcpPort() + "\n"
                        + "admission:\n  openPercent: 0\n  ramp: {steps: [{percent: 0, hold: 0s}]}\n  newClientsPerSecond: 1000\n  waiting: {maxWait: 5s}\n",
                clock);
        OnReject impatient = new OnReject(0.0, new RetryPolicy.Immediate(), 2, true);
        CompletableFuture<ReplayRun> replay = CompletableFuture.supplyAsync(() -> {
            try {
                return Replayer.run(
                        plan(Transport.TCP, impatient),
                        ReplayOptions.builder(target("tcp", admitted.address())).build());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The gateway judges the wait on its manual clock: move it on until every held connection is let go (the
        // ramp stays at 0 %, so no amount of time opens the gate).
        Await.until("every client gave up", () -> {
            clock.advance(Duration.ofSeconds(1));
            return replay.isDone();
        });
        ReplayRun run = replay.get(20, TimeUnit.SECONDS);

        assertThat(run.result().summary().responses()).containsOnly(entry("not_admitted", 2L * CLIENTS));
        assertThat(run.clientsGaveUp()).isEqualTo(CLIENTS);
        assertThat(sim.stats().received()).isZero();
    }
}
