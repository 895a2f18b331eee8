package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.gateway.LeakCheckExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

@ExtendWith(LeakCheckExtension.class)
final class AdminApiTest {

    @TempDir
    Path dir;

    private AdminFixture f;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
        log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(OperatorControls.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(log);
    }

    @AfterEach
    void stop() {
        Logger logger = (Logger) LoggerFactory.getLogger(OperatorControls.class);
        logger.detachAppender(log);
        logger.setLevel(null);
        f.close();
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("/ramp/pause", "{}"),
                Arguments.of("/ramp/resume", "{}"),
                Arguments.of("/ramp/advance", "{\"class\":\"everyone\"}"),
                Arguments.of("/ramp/rollback", "{\"class\":\"everyone\"}"),
                Arguments.of("/ramp/open", "{\"class\":\"everyone\",\"percent\":77}"),
                Arguments.of("/rate", "{\"perSecond\":5,\"burst\":5}"),
                Arguments.of("/message", "{\"text\":\"changed\"}"),
                Arguments.of("/config/reload", ""));
    }

    @Test
    void statusReportsClassesRateGateLimitAndMessage() throws Exception {
        JsonNode s = f.status();
        assertThat(s.get("admission").asText()).isEqualTo("on");
        assertThat(s.get("ready").asBoolean()).isTrue();
        assertThat(s.get("gate").asText()).isEqualTo("green");
        assertThat(s.get("breaker").asText()).isEqualTo("closed");
        assertThat(s.get("message").asText()).isEqualTo("back soon");
        assertThat(s.get("classes"))
                .extracting(k -> k.get("name").asText())
                .containsExactly("restores", "paying", "everyone");
        assertThat(f.classStatus("restores").get("alwaysOpen").asBoolean()).isTrue();
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(20.0);
        assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isEqualTo(10.0);
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
        assertThat(s.get("newClientRate").get("perSecond").asDouble()).isEqualTo(50.0);
        assertThat(s.get("newClientRate").get("burst").asDouble()).isEqualTo(20.0);
        assertThat(s.get("admittedClients").asLong()).isZero();
        assertThat(s.get("waitingClients").asLong()).isZero();
        assertThat(s.get("concurrency").get("limit").asInt()).isPositive();
        assertThat(s.get("concurrency").get("inFlight").asInt()).isZero();
        assertThat(s.get("upstream").has("p99Millis")).isTrue();
        assertThat(s.get("upstream").has("baselineP99Millis")).isTrue();
        assertThat(s.get("upstream").has("errorRate")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void aChangeWithoutTheTokenOrWithAWrongOneIsRefusedWith401AndChangesNothing(String path, String body)
            throws Exception {
        String before = stripVolatile(f.status());
        HttpResponse<String> none = f.post(path, body, null);
        HttpResponse<String> wrong = f.post(path, body, "not-the-token");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"readmit\"");
        assertThat(AdminFixture.json(none).get("error").asText()).contains("Authorization: Bearer");
        assertThat(AdminFixture.json(wrong).get("error").asText()).contains("wrong admin token");
        assertThat(stripVolatile(f.status())).isEqualTo(before);
        assertThat(f.admin.events().size()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void aChangeWithTheTokenIsAccepted(String path, String body) throws Exception {
        HttpResponse<String> r = f.post(path, body, AdminFixture.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(AdminFixture.json(r).get("who").asText()).isEqualTo("admin");
    }

    @Test
    void withoutAConfiguredTokenEveryChangeIsRefused() throws Exception {
        f.close();
        f = new AdminFixture(dir, AdminToken.none(), true);
        HttpResponse<String> r = f.post("/ramp/pause", "{}", AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(AdminFixture.json(r).get("error").asText())
                .contains("no admin token is configured")
                .contains("READMIT_ADMIN_TOKEN");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
    }

    @Test
    void pausePausesEveryRampedClassAndIsLoggedAndRecordedWithWhoAndFrom() throws Exception {
        HttpResponse<String> r = f.post("/ramp/pause", "", AdminFixture.TOKEN, "alice");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = AdminFixture.json(r);
        assertThat(answer.get("who").asText()).isEqualTo("alice");
        assertThat(answer.get("changed").asBoolean()).isTrue();
        assertThat(answer.get("classes"))
                .extracting(k -> k.get("name").asText())
                .containsExactly("paying", "everyone");
        assertThat(f.classStatus("paying").get("state").asText()).isEqualTo("paused");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("paused");

        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
                .startsWith("operator alice from 127.0.0.1:")
                .contains("pause everyone: ramping 10.0% -> paused 10.0%"));
        assertThat(log.list).allMatch(e -> e.getLevel() == Level.INFO);

        JsonNode events = f.json(f.get("/events")).get("events");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("kind").asText()).isEqualTo("operator");
            assertThat(e.get("who").asText()).isEqualTo("alice");
            assertThat(e.get("from").asText()).startsWith("127.0.0.1:");
            assertThat(e.get("action").asText()).isEqualTo("pause");
            assertThat(e.get("className").asText()).isEqualTo("everyone");
            assertThat(e.get("before").asText()).isEqualTo("ramping 10.0%");
            assertThat(e.get("after").asText()).isEqualTo("paused 10.0%");
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("kind").asText()).isEqualTo("ramp");
            assertThat(e.get("action").asText()).isEqualTo("operator");
            assertThat(e.get("who").asText()).isEqualTo("alice");
        });
    }

    @Test
    void pausingTwiceChangesNothingTheSecondTime() throws Exception {
        f.post("/ramp/pause", "{\"class\":\"paying\"}", AdminFixture.TOKEN);
        JsonNode second = f.json(f.post("/ramp/pause", "{\"class\":\"paying\"}", AdminFixture.TOKEN));
        assertThat(second.get("changed").asBoolean()).isFalse();
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
    }

    @Test
    void resumeEndsAPause() throws Exception {
        f.post("/ramp/pause", "{}", AdminFixture.TOKEN);
        HttpResponse<String> r = f.post("/ramp/resume", "{\"class\":\"everyone\"}", AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
        assertThat(f.classStatus("paying").get("state").asText()).isEqualTo("paused");
    }

    @Test
    void advanceAndRollbackMoveOneClassOneStep() throws Exception {
        f.post("/ramp/advance", "{\"class\":\"everyone\"}", AdminFixture.TOKEN);
        double advanced = f.classStatus("everyone").get("openPercent").asDouble();
        assertThat(advanced).isGreaterThan(10.0);
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(20.0);
        f.post("/ramp/rollback", "{\"class\":\"everyone\"}", AdminFixture.TOKEN);
        f.post("/ramp/rollback", "{\"class\":\"everyone\"}", AdminFixture.TOKEN);
        assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isLessThan(10.0);
    }

    @Test
    void openSetsAClassOpenPercentage() throws Exception {
        HttpResponse<String> r = f.post("/ramp/open", "{\"class\":\"paying\",\"percent\":55}", AdminFixture.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(55.0);
        assertThat(AdminFixture.json(r).get("after").asText()).isEqualTo("ramping 55.0%");
    }

    @Test
    void openRefusesAnAlwaysOpenClassAnUnknownClassAndAPercentageOutOfRange() throws Exception {
        HttpResponse<String> always =
                f.post("/ramp/open", "{\"class\":\"restores\",\"percent\":5}", AdminFixture.TOKEN);
        assertThat(always.statusCode()).isEqualTo(409);
        assertThat(AdminFixture.json(always).get("error").asText()).contains("always open");
        HttpResponse<String> unknown = f.post("/ramp/open", "{\"class\":\"vip\",\"percent\":5}", AdminFixture.TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(AdminFixture.json(unknown).get("error").asText())
                .isEqualTo("no class named 'vip'; classes: restores, paying, everyone");
        HttpResponse<String> high = f.post("/ramp/open", "{\"class\":\"paying\",\"percent\":140}", AdminFixture.TOKEN);
        assertThat(high.statusCode()).isEqualTo(400);
        assertThat(AdminFixture.json(high).get("error").asText()).contains("from 0 to 100, got 140");
        assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(20.0);
    }

    @Test
    void rateSetsTheNewClientRateAndBurstAndRefusesANegativeRate() throws Exception {
        HttpResponse<String> r = f.post("/rate", "{\"perSecond\":120,\"burst\":30}", AdminFixture.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(AdminFixture.json(r).get("before").asText()).isEqualTo("50/s burst 20");
        assertThat(AdminFixture.json(r).get("after").asText()).isEqualTo("120/s burst 30");
        JsonNode rate = f.status().get("newClientRate");
        assertThat(rate.get("perSecond").asDouble()).isEqualTo(120.0);
        assertThat(rate.get("burst").asDouble()).isEqualTo(30.0);

        HttpResponse<String> keepBurst = f.post("/rate", "{\"perSecond\":7}", AdminFixture.TOKEN);
        assertThat(AdminFixture.json(keepBurst).get("after").asText()).isEqualTo("7/s burst 30");

        HttpResponse<String> bad = f.post("/rate", "{\"perSecond\":-1}", AdminFixture.TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(f.status().get("newClientRate").get("perSecond").asDouble()).isEqualTo(7.0);
    }

    @Test
    void theMessageIsShownToWaitingClientsAndCanBeCleared() throws Exception {
        f.post("/ramp/open", "{\"class\":\"everyone\",\"percent\":0}", AdminFixture.TOKEN);
        HttpResponse<String> set = f.post("/message", "{\"text\":\"Back at 14:00 UTC\"}", AdminFixture.TOKEN);
        assertThat(set.statusCode()).isEqualTo(200);
        HttpResponse<String> waiting = throughGateway();
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(f.json(waiting).get("message").asText()).isEqualTo("Back at 14:00 UTC");

        HttpResponse<String> clear = f.post("/message", "{\"text\":null}", AdminFixture.TOKEN);
        assertThat(clear.statusCode()).isEqualTo(200);
        assertThat(f.status().get("message").asText()).isEmpty();
        assertThat(throughGateway().body()).doesNotContain("Back at 14:00 UTC");
    }

    private HttpResponse<String> throughGateway() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + f.gateway.localAddress().getPort() + "/seq/1");
        return f.http.send(
                HttpRequest.newBuilder(uri)
                        .header("X-Client-Id", "client-42")
                        .header("Accept", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBadBodyIsRefusedWith400AndAClearError() throws Exception {
        assertError(f.post("/ramp/pause", "{not json", AdminFixture.TOKEN), 400, "the body is not valid JSON");
        assertError(f.post("/ramp/pause", "[1]", AdminFixture.TOKEN), 400, "must be a JSON object");
        assertError(
                f.post("/ramp/pause", "{\"klass\":\"x\"}", AdminFixture.TOKEN),
                400,
                "unknown field 'klass'; allowed here: class");
        assertError(
                f.post("/rate", "{\"perSecond\":\"fast\"}", AdminFixture.TOKEN), 400, "'perSecond' must be a number");
        assertError(f.post("/rate", "{}", AdminFixture.TOKEN), 400, "'perSecond' is required");
        assertError(f.post("/message", "{}", AdminFixture.TOKEN), 400, "{\"text\": null} to clear it");
        assertError(
                f.post("/message", "{\"text\":\"" + "x".repeat(1001) + "\"}", AdminFixture.TOKEN),
                400,
                "the message must be at most 1000 characters");
        assertThat(f.status().get("message").asText()).isEqualTo("back soon");
        assertThat(f.classStatus("everyone").get("state").asText()).isEqualTo("ramping");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        assertError(f.get("/nope"), 404, "no such path: /nope");
        HttpResponse<String> getAChange = f.get("/ramp/pause");
        assertError(getAChange, 405, "/ramp/pause takes POST, not GET");
        assertThat(getAChange.headers().firstValue("Allow")).contains("POST");
        assertError(f.post("/status", "{}", AdminFixture.TOKEN), 405, "/status takes GET, HEAD, not POST");
    }

    @Test
    void metricsArePrometheusTextWithReadmitMeters() throws Exception {
        HttpResponse<String> r = f.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body())
                .contains("readmit_admissions_total{class=\"everyone\"")
                .contains("readmit_open_fraction{class=\"everyone\"} 0.1")
                .contains("readmit_waiting_clients ")
                .contains("readmit_concurrency_limit ")
                .contains("readmit_upstream_inflight ")
                .contains("readmit_upstream_request_duration_seconds_bucket")
                .contains("readmit_gate_colour{colour=\"green\"} 1.0")
                .contains("readmit_circuit_breaker_state{state=\"closed\"} 1.0");
    }

    @Test
    void healthzIsAlwaysOkAndReadyzTurnsUnreadyWhileDraining() throws Exception {
        assertThat(f.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(f.get("/readyz").statusCode()).isEqualTo(200);
        f.gateway.shutdown();
        HttpResponse<String> draining = f.get("/readyz");
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(f.json(draining).get("status").asText()).isEqualTo("draining");
        assertThat(f.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void eventsAreNewestFirstAndLimited() throws Exception {
        f.post("/rate", "{\"perSecond\":1}", AdminFixture.TOKEN);
        f.post("/rate", "{\"perSecond\":2}", AdminFixture.TOKEN);
        f.post("/rate", "{\"perSecond\":3}", AdminFixture.TOKEN);
        JsonNode events = f.json(f.get("/events?limit=2")).get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("after").asText()).isEqualTo("3/s burst 20");
        assertThat(events.get(1).get("after").asText()).isEqualTo("2/s burst 20");
        assertThat(events.get(0).get("at").asText()).isEqualTo("2026-11-23T12:00:00Z");
        assertError(f.get("/events?limit=x"), 400, "limit must be a whole number");
    }

    @Test
    void theStatusPageAndChartJsAreServedFromTheGateway() throws Exception {
        HttpResponse<String> page = f.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body())
                .contains("id=\"gate\"", "id=\"admitted\"", "id=\"waiting\"", "id=\"btn-pause\"", "id=\"btn-resume\"")
                .contains("id=\"btn-advance\"", "id=\"btn-rollback\"", "id=\"btn-rate\"", "src=\"assets/chart.umd.js\"")
                .doesNotContain("https://");
        HttpResponse<String> chart = f.get("/assets/chart.umd.js");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.body()).contains("Chart.js v4");
    }

    @Test
    void withAdmissionOffTheStatusSaysSoAndLeversAnswer409() throws Exception {
        f.close();
        f = new AdminFixture(dir, AdminToken.of(AdminFixture.TOKEN, "test"), false);
        JsonNode s = f.status();
        assertThat(s.get("admission").asText()).isEqualTo("off");
        assertThat(s.get("gate").asText()).isEqualTo("off");
        assertError(f.post("/ramp/pause", "{}", AdminFixture.TOKEN), 409, "admission is off");
        assertError(f.post("/rate", "{\"perSecond\":1}", AdminFixture.TOKEN), 409, "admission is off");
    }

    private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains(AdminResponse.JSON);
        assertThat(AdminFixture.json(r).get("error").asText()).contains(message);
    }

    /** The status without the fields a background tick may refresh (health window figures). */
    private static String stripVolatile(JsonNode status) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = status.deepCopy();
        copy.remove(List.of("upstream", "gateReason", "time"));
        return copy.toString();
    }
}
