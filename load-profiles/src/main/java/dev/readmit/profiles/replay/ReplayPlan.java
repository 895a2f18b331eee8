package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.OnReject;
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
