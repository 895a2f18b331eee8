package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Open 0 %: every new client is told to wait, honestly (503, Retry-After, a body by Accept), and the
 * upstream sees nothing. Open 100 %: everything is proxied.
 */
@ExtendWith(LeakCheckExtension.class)
final class WaitingAnswerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = new ManualClock();
    private CountingUpstream upstream;
    private AdmittedGateway gateway;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new CountingUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void startGateway(double openPercent) throws Exception {
        gateway = AdmittedGateway.start(
                upstream.url(),
                "admission:\n"
                        + "  openPercent: " + openPercent + "\n"
                        + "  newClientsPerSecond: 10000\n"
                        + "  burst: 10000\n"
                        + "  waiting:\n"
                        + "    message: \"Back at 14:00 UTC <soon>\"\n"
                        + "    retryAfterJitter: 0.1\n",
                clock);
    }

    @Test
    void closedGateAnswersJsonClientsWith503RetryAfterAndTheirPlace() throws Exception {
        startGateway(0);
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            for (int i = 0; i < 50; i++) {
                RawHttp.Response r = client.get("/seq/" + i, "X-Client-Id: json-" + i, "Accept: application/json");
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("content-type")).startsWith("application/json");
                assertThat(r.header("retry-after"))
                        .as("Retry-After in whole seconds")
                        .matches("[0-9]+");
                int retryAfter = Integer.parseInt(r.header("retry-after"));

                JsonNode body = JSON.readTree(r.body());
                assertThat(body.get("status").asText()).isEqualTo("waiting");
                assertThat(body.get("place").isIntegralNumber()).isTrue();
                assertThat(body.get("place").asLong()).isPositive();
                assertThat(body.get("estimatedWaitSeconds").isIntegralNumber()).isTrue();
                assertThat(body.get("message").asText()).isEqualTo("Back at 14:00 UTC <soon>");
                assertThat(body.get("retryAfterSeconds").asInt()).isEqualTo(retryAfter);
                assertRetryAfterWithinJitterBounds(
                        retryAfter, body.get("estimatedWaitSeconds").asLong());
            }
        }
        assertThat(upstream.requests()).as("requests that reached the upstream").isZero();
    }

    /**
     * The core clamps the estimate to 1..60 s and spreads it by +-20 %; the responder spreads that by the
     * configured +-10 %, each step rounding to whole seconds.
     */
    private static void assertRetryAfterWithinJitterBounds(int retryAfter, long estimatedWaitSeconds) {
        long base = Math.max(1, Math.min(60, estimatedWaitSeconds));
        long low = Math.max(1, (long) Math.floor(base * 0.8 * 0.9 - 0.95));
        long high = (long) Math.ceil(base * 1.2 * 1.1 + 1.05);
        assertThat((long) retryAfter)
                .as("Retry-After for an estimate of %d s", estimatedWaitSeconds)
                .isBetween(low, high);
    }

    @Test
    void closedGateAnswersBrowsersWithAWaitingPageThatRefreshesAfterRetryAfter() throws Exception {
        startGateway(0);
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            RawHttp.Response r = client.get(
                    "/seq/1",
                    "X-Client-Id: browser",
                    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("content-type")).startsWith("text/html");
            assertThat(r.header("cache-control")).isEqualTo("no-store");
            String retryAfter = r.header("retry-after");
            assertThat(retryAfter).matches("[0-9]+");
            assertThat(r.bodyText())
                    .contains("<meta http-equiv=\"refresh\" content=\"" + retryAfter + "\">")
                    .contains("You are in line")
                    .contains("Back at 14:00 UTC &lt;soon&gt;");

            RawHttp.Response again = client.get("/seq/2", "X-Client-Id: browser", "Accept: application/json");
            assertThat(again.status())
                    .as("the connection stays usable after a waiting answer")
                    .isEqualTo(503);
        }
        assertThat(upstream.requests()).isZero();
    }

    @Test
    void fullyOpenGateProxiesEveryRequestOfEveryClient() throws Exception {
        startGateway(100);
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            for (int i = 0; i < 200; i++) {
                RawHttp.Response r = client.get("/seq/" + i, "X-Client-Id: open-" + i, "Accept: application/json");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo(Integer.toString(i));
            }
        }
        assertThat(upstream.requests()).isEqualTo(200);
    }
}
