package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.admission.Decision;
import dev.readmit.gateway.admit.AdmissionSettings.Waiting;
import dev.readmit.gateway.admit.AdmissionSettings.WaitingMode;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class WaitingRoomResponderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Decision.Wait WAIT = new Decision.Wait(12, TimeUnit.MILLISECONDS.toNanos(29_500), 7, true);
    private static final Decision.Reject REJECT = new Decision.Reject(Decision.RejectReason.QUEUE_FULL, 9);

    private FullHttpResponse response;

    @AfterEach
    void release() {
        if (response != null) {
            response.release();
        }
    }

    private static WaitingRoomResponder responder(int rejectStatus, String message, double jitter, double random) {
        Waiting waiting = new Waiting(
                WaitingMode.RESPOND, 10, Duration.ofSeconds(30), rejectStatus, message, jitter, Duration.ZERO);
        return new WaitingRoomResponder(waiting, () -> (long) (random * (1L << 53)) << 11);
    }

    private static HttpRequest request(String accept) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (accept != null) {
            request.headers().set(HttpHeaderNames.ACCEPT, accept);
        }
        return request;
    }

    private String body() {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    @Test
    void waitingApiClientGets503WithJsonPlaceEstimateAndMessage() throws Exception {
        response = responder(503, "Back at 14:00 \"UTC\"", 0, 0.5)
                .respond(request("application/json"), WAIT, true, UnpooledByteBufAllocator.DEFAULT);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("7");
        assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/json");
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(response.content().readableBytes());
        JsonNode json = JSON.readTree(body());
        assertThat(json.get("status").asText()).isEqualTo("waiting");
        assertThat(json.get("place").asLong()).isEqualTo(12);
        assertThat(json.get("estimatedWaitSeconds").asLong()).isEqualTo(30);
        assertThat(json.get("retryAfterSeconds").asInt()).isEqualTo(7);
        assertThat(json.get("message").asText()).isEqualTo("Back at 14:00 \"UTC\"");
    }

    @Test
    void clientsWithoutAcceptGetJson() throws Exception {
        response = responder(503, "", 0, 0.5).respond(request(null), WAIT, true, UnpooledByteBufAllocator.DEFAULT);

        assertThat(JSON.readTree(body()).get("place").asLong()).isEqualTo(12);
    }

    @Test
    void rejectionUsesTheConfiguredStatusAndNamesTheReason() throws Exception {
        response = responder(429, "", 0, 0.5).respond(request("*/*"), REJECT, true, UnpooledByteBufAllocator.DEFAULT);

        assertThat(response.status().code()).isEqualTo(429);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("9");
        JsonNode json = JSON.readTree(body());
        assertThat(json.get("status").asText()).isEqualTo("rejected");
        assertThat(json.get("reason").asText()).isEqualTo("queue_full");
        assertThat(json.has("place")).isFalse();
    }

    @Test
    void browsersGetAnEscapedSelfRefreshingWaitingPage() {
        response = responder(503, "Maintenance <b>over</b> at 14:00 & counting", 0, 0.5)
                .respond(
                        request("text/html,application/xhtml+xml,*/*;q=0.8"),
                        WAIT,
                        true,
                        UnpooledByteBufAllocator.DEFAULT);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertThat(body())
                .contains("<meta http-equiv=\"refresh\" content=\"7\">")
                .contains("Your place in line: 12")
                .contains("Estimated wait: 30 seconds")
                .contains("Maintenance &lt;b&gt;over&lt;/b&gt; at 14:00 &amp; counting")
                .doesNotContain("<b>over</b>")
                .doesNotContain("{{");
    }

    @Test
    void theOperatorMessageChangesLive() throws Exception {
        WaitingRoomResponder responder = responder(503, "first", 0, 0.5);
        responder.setMessage("second");
        response = responder.respond(request(null), WAIT, true, UnpooledByteBufAllocator.DEFAULT);

        assertThat(JSON.readTree(body()).get("message").asText()).isEqualTo("second");
        assertThat(responder.message()).isEqualTo("second");
    }

    @Test
    void keepAliveIsHonouredOrRefused() {
        response = responder(503, "", 0, 0.5).respond(request(null), WAIT, false, UnpooledByteBufAllocator.DEFAULT);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        response.release();

        HttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        response = responder(503, "", 0, 0.5).respond(http10, WAIT, true, UnpooledByteBufAllocator.DEFAULT);
        assertThat(response.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
    }

    @Test
    void jitterSpreadsRetryAfterWithinTheFraction() {
        assertThat(responder(503, "", 0.2, 0.0).jittered(100)).isEqualTo(80);
        assertThat(responder(503, "", 0.2, 0.5).jittered(100)).isEqualTo(100);
        assertThat(responder(503, "", 0.2, 0.999_999).jittered(100)).isEqualTo(120);
        assertThat(responder(503, "", 0.5, 0.0).jittered(1)).isEqualTo(1);
        assertThat(responder(503, "", 0, 0.0).jittered(0)).isEqualTo(1);
    }

    @Test
    void refusesToAnswerAnAdmission() {
        WaitingRoomResponder responder = responder(503, "", 0, 0.5);

        assertThatThrownBy(() -> responder.respond(
                        request(null), Decision.Admit.NEWLY_ADMITTED, true, UnpooledByteBufAllocator.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHeadRequestGetsTheHeadersButNoBody() {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/");
        response = responder(503, "hello", 0, 0.5).respond(head, WAIT, true, UnpooledByteBufAllocator.DEFAULT);

        assertThat(response.content().readableBytes()).isZero();
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isGreaterThan(50);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("7");
    }
}
