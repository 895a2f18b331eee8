package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.Await;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.RawHttp;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The circuit breaker through the gateway: upstream failures open it, and while it is open nobody new
 * is admitted ({@code upstream_unhealthy}) while clients already admitted keep being proxied; after its
 * wait it lets new clients in again and closes once the upstream answers. The health gate is set so it
 * cannot turn red on these few requests, so what is seen here is the breaker's doing. The breaker's
 * open-state timer is Resilience4j's own (wall time), so the test waits for the state, never for a time.
 */
@ExtendWith(LeakCheckExtension.class)
final class CircuitBreakerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMISSION = "admission:\n"
            + "  openPercent: 100\n"
            + "  newClientsPerSecond: 1000\n"
            + "  health: {minRequests: 100000}\n"
            + "  breaker: {failureRatePercent: 50, minimumCalls: 4, slidingWindowCalls: 4, waitInOpen: 200ms}\n";

    private final ManualClock clock = new ManualClock();
    private final CountingUpstream upstream = new CountingUpstream();
    private AdmittedGateway gateway;

    CircuitBreakerTest() throws java.io.IOException {}

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private static RawHttp.Response get(KeepAliveClient client, String clientId) throws Exception {
        return client.get("/seq/1", "X-Client-Id: " + clientId, "Accept: application/json");
    }

    @Test
    void failingUpstreamStopsNewAdmissionsUntilItRecovers() throws Exception {
        gateway = AdmittedGateway.start(upstream.url(), ADMISSION, clock);
        CircuitBreaker breaker = gateway.admission().breaker();
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            assertThat(get(client, "early").status()).isEqualTo(200);

            upstream.setFailing(true);
            for (int i = 0; i < 4; i++) {
                assertThat(get(client, "early").status())
                        .as("the upstream's own 503, passed on")
                        .isEqualTo(503);
            }
            // The ticker hands the outcomes to the breaker and applies its state, every 100 ms.
            Await.until("the breaker opens", () -> breaker.getState() == CircuitBreaker.State.OPEN);
            Await.until(
                    "new admissions stop",
                    () -> gateway.admission().controller().newAdmissionsStopped());

            RawHttp.Response late = get(client, "late");
            assertThat(late.status()).isEqualTo(503);
            assertThat(late.header("retry-after")).matches("[0-9]+");
            JsonNode body = JSON.readTree(late.body());
            assertThat(body.get("status").asText()).isEqualTo("rejected");
            assertThat(body.get("reason").asText()).isEqualTo("upstream_unhealthy");
            int upstreamRequests = upstream.requests();

            assertThat(get(client, "early").status())
                    .as("an admitted client is still proxied while the breaker is open")
                    .isEqualTo(503);
            assertThat(upstream.requests()).isEqualTo(upstreamRequests + 1);

            upstream.setFailing(false);
            Await.until("the breaker half-opens", () -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            assertThat(get(client, "early").status()).isEqualTo(200);
            assertThat(get(client, "early").status()).isEqualTo(200);
            Await.until("the breaker closes", () -> breaker.getState() == CircuitBreaker.State.CLOSED);
            Await.until(
                    "new admissions resume",
                    () -> !gateway.admission().controller().newAdmissionsStopped());

            RawHttp.Response recovered = get(client, "recovered");
            assertThat(recovered.status()).as("a new client after recovery").isEqualTo(200);
            assertThat(recovered.bodyText()).isEqualTo("1");
        }
    }

    @Test
    void refusedUpstreamConnectionsOpenTheBreakerToo() throws Exception {
        String url = upstream.url();
        upstream.close();
        gateway = AdmittedGateway.start(url, ADMISSION, clock);
        for (int i = 0; i < 4; i++) {
            try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
                assertThat(get(client, "first").status())
                        .as("connection refused")
                        .isEqualTo(502);
            }
        }
        Await.until("the breaker opens", () -> gateway.admission().breaker().getState() == CircuitBreaker.State.OPEN);
        Await.until(
                "new admissions stop", () -> gateway.admission().controller().newAdmissionsStopped());
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            RawHttp.Response next = get(client, "second");
            assertThat(next.status()).isEqualTo(503);
            assertThat(JSON.readTree(next.body()).get("reason").asText()).isEqualTo("upstream_unhealthy");
        }
    }
}
