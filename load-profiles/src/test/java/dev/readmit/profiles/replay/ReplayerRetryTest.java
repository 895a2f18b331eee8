package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import dev.readmit.profiles.format.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class ReplayerRetryTest {
    private static final int CLIENTS = 5;

    /**
     * Each client sends two requests 500 ms apart: the answers to the first (three round trips for the
     * impatient clients) must come before the second is due, also on a loaded machine where the stub's
     * first answers wait for class loading and JIT.
     */
    private static ReplayPlan plan(boolean honours, OnReject onReject) {
        List<PlannedClient> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<PlannedRequest> requests = List.of(
                    new PlannedRequest(c * 10_000_000L, "GET", "/a", 0),
                    new PlannedRequest(c * 10_000_000L + 500_000_000L, "POST", "/b", 1000));
            clients.add(new PlannedClient(
                    "k" + c,
                    "bulk",
                    ConnectionMode.PER_CLIENT,
                    honours,
                    requests,
                    requests.get(1).atNanos(),
                    c));
        }
        return new ReplayPlan(clients, ClientKeyPlacement.DEFAULT, onReject);
    }

    /** Answers 503 + Retry-After: 1 + a ticket to a request without the client's ticket, 200 to one with it. */
    private static final class WaitingRoom {
        final Map<String, Long> rejectedAtNanos = new ConcurrentHashMap<>();

        StubServer.Answer answer(StubServer.Seen s) {
            String key = s.headers().get("X-Client-Key");
            String expected = "ticket-" + key;
            boolean header = expected.equals(s.headers().get("Readmit-Ticket"));
            String cookie = s.headers().get("Cookie");
            boolean cookieOk = cookie != null && cookie.contains("rt=" + expected);
            if (header && cookieOk) {
                return StubServer.Answer.ok();
            }
            rejectedAtNanos.putIfAbsent(key, s.receivedNanos());
            return new StubServer.Answer(
                    503,
                    List.of(
                            "Retry-After",
                            "1",
                            "Readmit-Ticket",
                            expected,
                            "Set-Cookie",
                            "rt=" + expected + "; Path=/; HttpOnly"));
        }
    }

    @Test
    void wellBehavedClientsWaitRetryAfterAndSendTheirTicketBack() throws Exception {
        WaitingRoom room = new WaitingRoom();
        try (StubServer stub = new StubServer(room::answer)) {
            ReplayRun run = Replayer.run(
                    plan(true, OnReject.DEFAULT),
                    ReplayOptions.builder(stub.uri()).build());

            Map<String, Long> responses = run.result().summary().responses();
            assertThat(responses).containsEntry("waiting", (long) CLIENTS).containsEntry("ok", 2L * CLIENTS);
            assertThat(run.result().summary().clientsAdmitted()).isEqualTo(CLIENTS);
            assertThat(run.result().summary().secondsUntilAllAdmitted()).isGreaterThan(1.0);
            for (StubServer.Seen s : stub.seen) {
                String key = s.headers().get("X-Client-Key");
                if ("ticket-".concat(key).equals(s.headers().get("Readmit-Ticket"))) {
                    // Honoured Retry-After: the ticketed retry came at least ~1 s after the rejection.
                    assertThat(s.receivedNanos() - room.rejectedAtNanos.get(key))
                            .isGreaterThan(900_000_000L);
                }
            }
            // The second request of each session moved with the wait: nobody was rejected twice.
            assertThat(stub.seen).hasSize(3 * CLIENTS);
        }
    }

    @Test
    void impatientClientsRetryAtOnceWithoutTicketAndGiveUpAfterMaxAttempts() throws Exception {
        WaitingRoom room = new WaitingRoom();
        OnReject impatient = new OnReject(0.0, new RetryPolicy.Immediate(), 3, true);
        try (StubServer stub = new StubServer(room::answer)) {
            ReplayRun run = Replayer.run(
                    plan(false, impatient), ReplayOptions.builder(stub.uri()).build());

            assertThat(run.clientsGaveUp()).isEqualTo(CLIENTS);
            assertThat(run.result().summary().responses()).containsOnlyKeys("waiting");
            assertThat(run.result().summary().clientsAdmitted()).isZero();
            assertThat(run.result().summary().secondsUntilAllAdmitted()).isNaN();
            Set<String> ticketsSent = stub.seen.stream()
                    .map(s -> s.headers().get("Readmit-Ticket"))
                    .filter(t -> t != null)
                    .collect(Collectors.toSet());
            assertThat(ticketsSent).isEmpty();
            assertThat(stub.seen).hasSize(3 * CLIENTS);
        }
    }
}
