package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.RetryPolicy;
import dev.readmit.profiles.format.Transport;
import dev.readmit.profiles.sim.NettyLeakExtension;
import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WebSocket and raw TCP clients against the simulated upstream and against stubs, over real sockets on
 * 127.0.0.1. Only counts are asserted, and lower bounds of waits the server imposed, never how fast
 * anything went.
 */
final class ReplayerMessageTransportTest {
    private static final int CLIENTS = 3;
    private static final int MESSAGE_BYTES = 120;

    @RegisterExtension
    final NettyLeakExtension leaks = new NettyLeakExtension();

    /**
     * Each client: a connect step at its start, then {@code messages} messages 40 ms apart; its hold ends
     * 40 ms after the last one.
     */
    static ReplayPlan plan(Transport transport, int messages, boolean honours, OnReject onReject) {
        return plan(CLIENTS, transport, messages, honours, onReject);
    }

    static ReplayPlan plan(int count, Transport transport, int messages, boolean honours, OnReject onReject) {
        List<PlannedClient> clients = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            long start = c * 5_000_000L;
            List<PlannedRequest> requests = new ArrayList<>();
            requests.add(new PlannedRequest(start, "POST", "/chat/connect", 200));
            for (int m = 1; m <= messages; m++) {
                requests.add(new PlannedRequest(start + m * 40_000_000L, "POST", "/chat/messages", MESSAGE_BYTES));
            }
            clients.add(new PlannedClient(
                    "user-" + c,
                    "chat",
                    ConnectionMode.PER_CLIENT,
                    honours,
                    requests,
                    start + (messages + 1) * 40_000_000L,
                    c,
                    transport));
        }
        return new ReplayPlan(clients, ClientKeyPlacement.DEFAULT, onReject);
    }

    private static UpstreamSimulator simulator(boolean tcp) {
        SimConfig.Builder config = SimConfig.builder()
                .workers(8)
                .serviceTime(ServiceTimeDistribution.constant(Duration.ofMillis(1)))
                .ioThreads(1);
        if (tcp) {
            config.tcpListen(new InetSocketAddress("127.0.0.1", 0));
        }
        return UpstreamSimulator.start(config.build());
    }

    @Test
    void webSocketClientsSendEveryStepAsAFrameOnOneConnectionAndCountEachAnswer() throws Exception {
        int messages = 4;
        try (UpstreamSimulator sim = simulator(false)) {
            ReplayRun run = Replayer.run(
                    plan(Transport.WEBSOCKET, messages, true, OnReject.DEFAULT),
                    ReplayOptions.builder(URI.create("http://127.0.0.1:" + sim.port()))
                            .build());

            int frames = CLIENTS * (1 + messages);
            // One upgrade per client plus one answer per frame, all "200 served".
            assertThat(run.result().summary().responses()).containsOnly(entry("ok", (long) CLIENTS + frames));
            assertThat(run.latencyByTag().get("chat/ok").getTotalCount()).isEqualTo(CLIENTS + frames);
            assertThat(run.connectionsOpened()).isEqualTo(CLIENTS);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
            assertThat(run.result().summary().secondsUntilAllFinished()).isNotNaN();
            assertThat(sim.stats().received())
                    .as("frames through the capacity model")
                    .isEqualTo(frames);
            assertThat(sim.stats().bodyBytes()).isEqualTo(CLIENTS * (200L + messages * MESSAGE_BYTES));
        }
    }

    @Test
    void tcpClientsAreAdmittedByTheGreetingAndCountEachAnswerLine() throws Exception {
        int messages = 4;
        try (UpstreamSimulator sim = simulator(true)) {
            ReplayRun run = Replayer.run(
                    plan(Transport.TCP, messages, true, OnReject.DEFAULT),
                    ReplayOptions.builder(URI.create("tcp://127.0.0.1:" + sim.tcpPort()))
                            .build());

            int lines = CLIENTS * (1 + messages);
            assertThat(run.result().summary().responses()).containsOnly(entry("ok", (long) CLIENTS + lines));
            assertThat(run.latencyByTag().get("chat/ok").getTotalCount()).isEqualTo(CLIENTS + lines);
            assertThat(run.connectionsOpened()).isEqualTo(CLIENTS);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
            assertThat(sim.stats().received())
                    .as("lines through the capacity model")
                    .isEqualTo(lines);
            // A line of n bytes is n - 1 bytes of text and its newline; the decoder strips the newline.
            assertThat(sim.stats().bodyBytes()).isEqualTo(CLIENTS * (199L + messages * (MESSAGE_BYTES - 1)));
        }
    }

    @Test
    void aMessageLargerThanOneSliceOfTheMessageTextGoesWholeAsOneFrameOrOneLine() throws Exception {
        long big = 200_000; // the message text is 64 KiB: four slices
        for (Transport transport : List.of(Transport.WEBSOCKET, Transport.TCP)) {
            try (UpstreamSimulator sim = simulator(transport == Transport.TCP)) {
                List<PlannedRequest> requests = List.of(
                        new PlannedRequest(0, "POST", "/chat/connect", 200),
                        new PlannedRequest(40_000_000L, "POST", "/chat/messages", big));
                ReplayPlan plan = new ReplayPlan(
                        List.of(new PlannedClient(
                                "user-big",
                                "chat",
                                ConnectionMode.PER_CLIENT,
                                true,
                                requests,
                                80_000_000L,
                                1,
                                transport)),
                        ClientKeyPlacement.DEFAULT,
                        OnReject.DEFAULT);
                URI target = transport == Transport.TCP
                        ? URI.create("tcp://127.0.0.1:" + sim.tcpPort())
                        : URI.create("http://127.0.0.1:" + sim.port());
                ReplayRun run = Replayer.run(plan, ReplayOptions.builder(target).build());

                assertThat(run.result().summary().responses())
                        .as(transport.label())
                        .containsOnly(entry("ok", 3L));
                assertThat(sim.stats().received())
                        .as(transport.label() + ": two messages")
                        .isEqualTo(2);
                // A line of n bytes is n - 1 bytes of text and its newline; the decoder strips the newline.
                long expected = transport == Transport.TCP ? 199 + big - 1 : 200 + big;
                assertThat(sim.stats().bodyBytes()).as(transport.label()).isEqualTo(expected);
            }
        }
    }

    /** Answers 503 + Retry-After: 1 + a ticket to an upgrade without the client's ticket, 101 to one with it. */
    private static final class WaitingRoom {
        final Map<String, Long> rejectedAtNanos = new ConcurrentHashMap<>();

        StubServer.Answer answer(MessageStubServer.Upgrade u) {
            String key = u.headers().get("X-Client-Key");
            String expected = "ticket-" + key;
            String cookie = u.headers().get("Cookie");
            if (expected.equals(u.headers().get("Readmit-Ticket"))
                    && cookie != null
                    && cookie.contains("rt=" + expected)) {
                return new StubServer.Answer(101, List.of());
            }
            rejectedAtNanos.putIfAbsent(key, u.receivedNanos());
            return new StubServer.Answer(
                    503,
                    List.of(
                            "Retry-After",
                            "1",
                            "Readmit-Ticket",
                            expected,
                            "Set-Cookie",
                            "rt=" + expected + "; Path=/"));
        }
    }

    @Test
    void anUpgradeAnsweredWithAWaitingRoomIsRetriedAfterRetryAfterWithTheTicket() throws Exception {
        int messages = 2;
        WaitingRoom room = new WaitingRoom();
        try (MessageStubServer stub = MessageStubServer.webSocket(room::answer)) {
            ReplayRun run = Replayer.run(
                    plan(Transport.WEBSOCKET, messages, true, OnReject.DEFAULT),
                    ReplayOptions.builder(stub.uri("http")).build());

            assertThat(run.result().summary().responses())
                    .containsOnly(
                            entry("waiting", (long) CLIENTS), entry("ok", (long) CLIENTS + CLIENTS * (1 + messages)));
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
            assertThat(stub.upgrades).hasSize(2 * CLIENTS);
            for (MessageStubServer.Upgrade u : stub.upgrades) {
                assertThat(u.uri())
                        .as("the upgrade goes to the session's first path")
                        .isEqualTo("/chat/connect");
                String key = u.headers().get("X-Client-Key");
                if (("ticket-" + key).equals(u.headers().get("Readmit-Ticket"))) {
                    assertThat(u.receivedNanos() - room.rejectedAtNanos.get(key))
                            .as("the ticketed upgrade waited Retry-After")
                            .isGreaterThan(900_000_000L);
                }
            }
            assertThat(run.result().intervals().stream()
                            .mapToLong(p -> p.waiting())
                            .sum())
                    .isEqualTo(CLIENTS);
        }
    }

    @Test
    void aTcpConnectionClosedBeforeTheGreetingIsNotAdmittedAndRetriedWithBackoff() throws Exception {
        int messages = 2;
        long backoffMillis = 200;
        try (MessageStubServer stub = MessageStubServer.lines(2)) {
            ReplayRun run = Replayer.run(
                    plan(1, Transport.TCP, messages, true, backoff(backoffMillis, 5)),
                    ReplayOptions.builder(stub.uri("tcp")).build());

            assertThat(run.result().summary().responses())
                    .containsOnly(entry("not_admitted", 2L), entry("ok", 1L + 1 + messages));
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(1);
            assertThat(run.connectionsOpened()).isEqualTo(3);
            assertThat(run.result().intervals().stream()
                            .mapToLong(p -> p.waiting())
                            .sum())
                    .as("counted in the waiting series")
                    .isEqualTo(2);
            List<Long> accepted = stub.acceptedNanos;
            assertThat(accepted).hasSize(3);
            for (int i = 1; i < accepted.size(); i++) {
                assertThat(accepted.get(i) - accepted.get(i - 1))
                        .as("reconnect %d waited the backoff", i)
                        .isGreaterThan((backoffMillis - 10) * 1_000_000L);
            }
        }
    }

    @Test
    void sessionsBeyondTheConnectionCapWaitForAConnectionToCloseAndCountAsLate() throws Exception {
        int clients = 5;
        int messages = 2;
        try (MessageStubServer stub = MessageStubServer.lines(0)) {
            ReplayRun run = Replayer.run(
                    plan(clients, Transport.TCP, messages, true, OnReject.DEFAULT),
                    ReplayOptions.builder(stub.uri("tcp"))
                            .maxConnections(2)
                            .ioThreads(1)
                            .build());

            // Clients start 5 ms apart and hold their connection 120 ms: without the cap all five connect in
            // the first 20 ms; with it the third and later wait until one of the first two has closed.
            List<Long> accepted = stub.acceptedNanos;
            assertThat(accepted).hasSize(clients);
            for (int i = 2; i < clients; i++) {
                assertThat(accepted.get(i) - accepted.get(0))
                        .as("connection %d waited for room", i + 1)
                        .isGreaterThan(80_000_000L);
            }
            assertThat(run.connectionsOpened()).isEqualTo(clients);
            assertThat(run.lateForConnection())
                    .as("sessions that waited for room")
                    .isEqualTo(clients - 2);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(clients);
            assertThat(run.result().summary().responses())
                    .containsOnly(entry("ok", (long) clients * (1 + 1 + messages)));
        }
    }

    @Test
    void aTcpClientNeverGreetedGivesUpAfterMaxAttempts() throws Exception {
        try (MessageStubServer stub = MessageStubServer.lines(Integer.MAX_VALUE)) {
            ReplayRun run = Replayer.run(
                    plan(1, Transport.TCP, 1, true, backoff(20, 3)),
                    ReplayOptions.builder(stub.uri("tcp")).build());

            assertThat(run.result().summary().responses()).containsOnly(entry("not_admitted", 3L));
            assertThat(run.clientsGaveUp()).isEqualTo(1);
            assertThat(run.result().summary().clientsAdmitted()).isZero();
            assertThat(stub.acceptedNanos).hasSize(3);
        }
    }

    @Test
    void aClientThatGivesUpOnARejectedMessageEndsItsUnansweredMessagesClosed() throws Exception {
        // Two steps due at once, both sent when the upgrade is admitted; the 200-byte one is answered 429, the
        // 100-byte one never. One attempt allowed: the 429 makes the client give up with the other in flight.
        List<PlannedRequest> steps = List.of(
                new PlannedRequest(0, "POST", "/chat/connect", 200), new PlannedRequest(0, "POST", "/chat/join", 100));
        ReplayPlan plan = new ReplayPlan(
                List.of(new PlannedClient(
                        "user-0", "chat", ConnectionMode.PER_CLIENT, false, steps, 0, 0, Transport.WEBSOCKET)),
                ClientKeyPlacement.DEFAULT,
                new OnReject(0.0, new RetryPolicy.Immediate(), 1, true));
        try (MessageStubServer stub = MessageStubServer.webSocket(
                u -> new StubServer.Answer(101, List.of()), bytes -> bytes == 200 ? "429 slow down" : null)) {
            ReplayRun run =
                    Replayer.run(plan, ReplayOptions.builder(stub.uri("http")).build());

            assertThat(run.result().summary().responses())
                    .containsOnly(entry("ok", 1L), entry("waiting", 1L), entry("closed", 1L));
            assertThat(run.clientsGaveUp()).isEqualTo(1);
        }
    }

    @Test
    void theBundledChatProfileReplaysOverWebSocketAgainstTheSimulator() throws Exception {
        Profile chat = BundledProfiles.load("chat-mass-reconnect");
        try (UpstreamSimulator sim = simulator(false)) {
            ReplayRun run = Replayer.runDetailed(
                    chat,
                    ReplayOptions.builder(URI.create("http://127.0.0.1:" + sim.port()))
                            .scale(0.001)
                            .speed(200)
                            .build());

            long clients = run.result().summary().clients();
            assertThat(clients).isEqualTo(20);
            assertThat(run.result().summary().responses()).containsOnlyKeys("ok");
            long answers = run.result().summary().responses().get("ok");
            assertThat(run.connectionsOpened()).isEqualTo(clients);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(clients);
            // Every answer but one upgrade per client is a frame the simulator served.
            assertThat(sim.stats().received()).isEqualTo(answers - clients).isGreaterThanOrEqualTo(2 * clients);
        }
    }

    static OnReject backoff(long millis, int maxAttempts) {
        return new OnReject(0.0, new RetryPolicy.Backoff(millis, millis, RetryPolicy.Jitter.NONE), maxAttempts, true);
    }
}
