package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a replay will send, computed before the first request leaves: the plan that latency is
 * measured against. The same profile, seed, speed and scale give the same plan. Immutable.
 *
 * @param clients clients sorted by their first intended time
 * @param clientKey where clients put their key
 * @param onReject behaviour on waiting answers
 */
public record ReplayPlan(List<PlannedClient> clients, ClientKeyPlacement clientKey, OnReject onReject) {
    public ReplayPlan {
        clients = List.copyOf(clients);
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(onReject, "onReject");
    }

    /**
     * A flat plan, the benchmark's: {@code clients} clients (keys {@code c-0}, {@code c-1}...), each on
     * its own keep-alive connection, each sending {@code GET path} at a fixed gap of {@code clients /
     * perSecond} seconds, their first requests spread evenly over the first gap; together they offer
     * {@code perSecond} requests per second for {@code length}.
     *
     * @throws IllegalArgumentException if {@code clients} or {@code perSecond} is not positive, or
     *     {@code length} leaves a client less than one request
     */
    public static ReplayPlan flat(int clients, double perSecond, Duration length, String path) {
        if (clients <= 0 || !(perSecond > 0)) {
            throw new IllegalArgumentException(
                    "clients and perSecond must be positive; got clients=" + clients + ", perSecond=" + perSecond);
        }
        double gapNanos = 1e9 * clients / perSecond;
        int perClient = (int) Math.floor(length.toNanos() / gapNanos);
        if (perClient < 1) {
            throw new IllegalArgumentException("length " + length + " is shorter than one gap of "
                    + Duration.ofNanos(Math.round(gapNanos)) + " between a client's requests");
        }
        List<PlannedClient> out = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            double offset = gapNanos * c / clients;
            List<PlannedRequest> requests = new ArrayList<>(perClient);
            for (int i = 0; i < perClient; i++) {
                requests.add(new PlannedRequest(Math.round(offset + i * gapNanos), "GET", path, 0));
            }
            out.add(new PlannedClient(
                    "c-" + c,
                    "default",
                    ConnectionMode.PER_CLIENT,
                    true,
                    requests,
                    requests.get(perClient - 1).atNanos(),
                    c));
        }
        return new ReplayPlan(out, ClientKeyPlacement.DEFAULT, OnReject.DEFAULT);
    }

    /** Total planned requests (first attempts; retries come on top). */
    public long requestCount() {
        return clients.stream().mapToLong(c -> c.requests().size()).sum();
    }

    /** When the last client's session ends, nanoseconds after the run start. */
    public long endNanos() {
        long end = 0;
        for (PlannedClient c : clients) {
            end = Math.max(end, c.endNanos());
            if (!c.requests().isEmpty()) {
                end = Math.max(end, c.requests().get(c.requests().size() - 1).atNanos());
            }
        }
        return end;
    }
}
