package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ReplayerScheduleTest {
    private static final int CLIENTS = 20;
    private static final int PER_CLIENT = 20;
    private static final long GAP_NANOS = 100_000_000L;

    /** 20 clients, each sending every 100 ms with its own offset: 200 requests/s for 2 s. */
    private static ReplayPlan steadyPlan() {
        List<PlannedClient> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            List<PlannedRequest> requests = new ArrayList<>();
            for (int i = 0; i < PER_CLIENT; i++) {
                long at = c * (GAP_NANOS / CLIENTS) + i * GAP_NANOS;
                requests.add(new PlannedRequest(at, "GET", "/r?at=" + at, 0));
            }
            clients.add(new PlannedClient(
                    "c" + c,
                    "default",
                    ConnectionMode.PER_CLIENT,
                    true,
                    requests,
                    requests.get(PER_CLIENT - 1).atNanos(),
                    c));
        }
        return new ReplayPlan(clients, ClientKeyPlacement.DEFAULT, OnReject.DEFAULT);
    }

    @Test
    void sendsEveryRequestWithinAFewMillisecondsOfItsIntendedTime() throws Exception {
        try (StubServer stub = new StubServer(s -> StubServer.Answer.ok())) {
            // The JVM's first run pays class loading and JIT; the schedule is judged on a warm generator.
            Replayer.run(
                    steadyPlan(), ReplayOptions.builder(stub.uri()).ioThreads(1).build());
            ReplayRun run = Replayer.run(
                    steadyPlan(), ReplayOptions.builder(stub.uri()).ioThreads(1).build());

            assertThat(run.result().summary().responses()).containsEntry("ok", (long) CLIENTS * PER_CLIENT);
            assertThat(run.sendLagMicros().getTotalCount()).isEqualTo(CLIENTS * PER_CLIENT);
            assertThat(run.earliestSendLagNanos()).isGreaterThanOrEqualTo(0);
            assertThat(run.sendLagMicros().getValueAtPercentile(50)).isLessThan(2_000);
            assertThat(run.sendLagMicros().getValueAtPercentile(90)).isLessThan(10_000);
            assertThat(run.lateForConnection()).isZero();
        }
    }

    @Test
    void requestsArriveSpreadAsPlannedNotInBursts() throws Exception {
        try (StubServer stub = new StubServer(s -> StubServer.Answer.ok())) {
            Replayer.run(
                    steadyPlan(), ReplayOptions.builder(stub.uri()).ioThreads(1).build());
            stub.seen.clear();
            Replayer.run(
                    steadyPlan(), ReplayOptions.builder(stub.uri()).ioThreads(1).build());

            List<StubServer.Seen> seen = new ArrayList<>(stub.seen);
            seen.sort(Comparator.comparingLong(StubServer.Seen::receivedNanos));
            long firstPlanned = plannedAt(seen.get(0));
            long firstSeen = seen.get(0).receivedNanos();
            // Receive times include the stub's own loop on a shared 2-core machine, hence a loose bound;
            // a sender that bursts or drifts is off by up to the whole 2 s plan.
            int onTime = 0;
            for (StubServer.Seen s : seen) {
                long plannedOffset = plannedAt(s) - firstPlanned;
                long seenOffset = s.receivedNanos() - firstSeen;
                if (Math.abs(seenOffset - plannedOffset) < 100_000_000L) {
                    onTime++;
                }
            }
            assertThat(seen).hasSize(CLIENTS * PER_CLIENT);
            assertThat(onTime).isGreaterThanOrEqualTo(seen.size() * 95 / 100);
        }
    }

    private static long plannedAt(StubServer.Seen s) {
        return Long.parseLong(s.uri().substring(s.uri().indexOf("at=") + 3));
    }
}
