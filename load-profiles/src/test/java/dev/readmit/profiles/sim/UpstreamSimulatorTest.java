package dev.readmit.profiles.sim;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The simulator over real sockets on 127.0.0.1. Time is a {@link ManualSimTimer} except where a test says
 * otherwise, so which request gets which status never depends on how fast this machine is.
 */
final class UpstreamSimulatorTest {

    @RegisterExtension
    final NettyLeakExtension leaks = new NettyLeakExtension();

    private final ManualSimTimer timer = new ManualSimTimer();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        timer.close();
    }

    private UpstreamSimulator start(SimConfig.Builder config) {
        UpstreamSimulator simulator = UpstreamSimulator.start(config.build(), timer);
        toClose.add(simulator);
        return simulator;
    }

    private static SimConfig.Builder constant(int workers, long serviceMillis) {
        return SimConfig.builder()
                .workers(workers)
                .serviceTime(ServiceTimeDistribution.constant(Duration.ofMillis(serviceMillis)));
    }

    private List<CompletableFuture<HttpResponse<String>>> sendConcurrently(UpstreamSimulator sim, int count) {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest request = HttpRequest.newBuilder(uri(sim, "/work/" + i))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        return responses;
    }

    private static URI uri(UpstreamSimulator sim, String path) {
        return URI.create("http://127.0.0.1:" + sim.port() + path);
    }

    /** Waits for something another thread does; fails after a generous bound, never asserts a time. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static List<Integer> statuses(List<CompletableFuture<HttpResponse<String>>> responses) {
        return responses.stream().map(f -> f.join().statusCode()).toList();
    }

    private static long done(List<CompletableFuture<HttpResponse<String>>> responses) {
        return responses.stream().filter(CompletableFuture::isDone).count();
    }

    @Test
    void neverHasMoreRequestsInServiceThanWorkers() {
        UpstreamSimulator sim = start(constant(4, 100));
        List<CompletableFuture<HttpResponse<String>>> responses = sendConcurrently(sim, 10);
        await("all 10 requests arrived", () -> sim.stats().received() == 10);

        SimStats arrived = sim.stats();
        assertThat(arrived.inFlight()).isEqualTo(4);
        assertThat(arrived.queueLength()).isEqualTo(6);
        assertThat(arrived.open()).isEqualTo(10);
        assertThat(done(responses)).isZero();

        timer.advance(Duration.ofMillis(100));
        await("the first 4 answers", () -> done(responses) == 4);
        timer.advance(Duration.ofMillis(200));

        assertThat(statuses(responses)).containsOnly(200).hasSize(10);
        SimStats end = sim.stats();
        assertThat(end.served()).isEqualTo(10);
        assertThat(end.maxInFlight()).isEqualTo(4);
        assertThat(end.maxQueueLength()).isEqualTo(6);
        assertThat(end.maxOpen()).isEqualTo(10);
        assertThat(end.open()).isZero();
        assertThat(responses.stream()
                        .map(f ->
                                f.join().headers().firstValue("x-sim-queue-ms").orElseThrow()))
                .containsOnly("0", "100", "200");
    }

    @Test
    void answers503AtOnceWhenTheQueueIsFull() {
        UpstreamSimulator sim = start(constant(1, 100).queueLimit(2));
        List<CompletableFuture<HttpResponse<String>>> responses = sendConcurrently(sim, 5);

        await("two requests were turned away", () -> done(responses) == 2);
        assertThat(responses.stream().filter(CompletableFuture::isDone).map(f -> f.join()
                        .statusCode()))
                .containsOnly(503);
        assertThat(responses.stream().filter(CompletableFuture::isDone).map(f -> f.join()
                        .body()))
                .containsOnly("overloaded: queue full\n");
        assertThat(responses.stream()
                        .filter(CompletableFuture::isDone)
                        .map(f -> f.join().headers().firstValue("retry-after")))
                .allMatch(java.util.Optional::isEmpty);

        timer.advance(Duration.ofMillis(300));
        assertThat(statuses(responses)).containsExactlyInAnyOrder(200, 200, 200, 503, 503);
        assertThat(sim.stats().rejected()).isEqualTo(2);
        assertThat(sim.stats().served()).isEqualTo(3);
    }

    @Test
    void answers504WhenServiceOutlastsTheTimeoutAnd503WhenTheQueueWaitDoes() {
        UpstreamSimulator sim = start(constant(1, 300).timeout(Duration.ofMillis(500)));
        List<CompletableFuture<HttpResponse<String>>> responses = sendConcurrently(sim, 3);
        await("all 3 requests arrived", () -> sim.stats().received() == 3);

        timer.advance(Duration.ofMillis(500));

        assertThat(statuses(responses)).containsExactlyInAnyOrder(200, 503, 504);
        SimStats stats = sim.stats();
        assertThat(stats.served()).isEqualTo(1);
        assertThat(stats.queueTimeouts()).isEqualTo(1);
        assertThat(stats.serviceTimeouts()).isEqualTo(1);
        assertThat(stats.inFlight()).isEqualTo(1);
    }

    @Test
    void streamsLargeUploadsAndCountsTheirBytes() {
        UpstreamSimulator sim = start(constant(2, 10));
        byte[] chunk = new byte[8 * 1024 * 1024 + 3];
        HttpRequest upload = HttpRequest.newBuilder(uri(sim, "/upload"))
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(chunk))
                .build();
        HttpRequest streamed = HttpRequest.newBuilder(uri(sim, "/upload"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(chunk)))
                .build();
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(upload, HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second =
                client.sendAsync(streamed, HttpResponse.BodyHandlers.ofString());
        await("both uploads arrived", () -> sim.stats().received() == 2);

        timer.advance(Duration.ofMillis(10));

        assertThat(first.join().statusCode()).isEqualTo(200);
        assertThat(second.join().statusCode()).isEqualTo(200);
        assertThat(sim.stats().bodyBytes()).isEqualTo(2L * chunk.length);
    }

    @Test
    void publishesItsStatsAsJsonAndResetsPeaksOnRequest() throws Exception {
        UpstreamSimulator sim = start(constant(2, 100));
        List<CompletableFuture<HttpResponse<String>>> work = sendConcurrently(sim, 3);
        await("all 3 requests arrived", () -> sim.stats().received() == 3);

        HttpResponse<String> stats = client.send(
                HttpRequest.newBuilder(uri(sim, "/__sim/stats")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.headers().firstValue("content-type")).hasValue("application/json");
        SimStats published = new ObjectMapper().readValue(stats.body(), SimStats.class);
        assertThat(published).isEqualTo(sim.stats());
        assertThat(published.maxInFlight()).isEqualTo(2);
        assertThat(published.queueLength()).isEqualTo(1);

        timer.advance(Duration.ofMillis(200));
        assertThat(statuses(work)).containsOnly(200);
        HttpResponse<String> reset = client.send(
                HttpRequest.newBuilder(uri(sim, "/__sim/reset-peaks"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(sim.stats().maxInFlight()).isZero();
        assertThat(sim.stats().maxOpen()).isZero();

        HttpResponse<String> unknown = client.send(
                HttpRequest.newBuilder(uri(sim, "/__sim/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(sim.stats().received()).isEqualTo(3);
    }

    @Test
    void answersPipelinedRequestsInOrderOneAtATime() throws Exception {
        UpstreamSimulator sim = start(constant(4, 100));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", sim.port()), 10_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write(("GET /first HTTP/1.1\r\nHost: sim\r\n\r\n"
                                    + "POST /second HTTP/1.1\r\nHost: sim\r\nContent-Length: 5\r\n"
                                    + "Connection: close\r\n\r\nhello")
                            .getBytes(US_ASCII));
            await("the first request arrived", () -> sim.stats().received() == 1);
            // Four idle workers, yet the second request waits for the first one's answer.
            assertThat(sim.stats().inFlight()).isEqualTo(1);

            timer.advance(Duration.ofMillis(100));
            await("the second request arrived", () -> sim.stats().received() == 2);
            timer.advance(Duration.ofMillis(100));

            String answers = new String(readToEnd(socket.getInputStream()), US_ASCII);
            assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(3);
            assertThat(answers).contains("connection: close");
            assertThat(sim.stats().bodyBytes()).isEqualTo(5);
        }
    }

    @Test
    void answers400AndClosesOnAMalformedRequest() throws Exception {
        UpstreamSimulator sim = start(constant(1, 100));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", sim.port()), 10_000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET / NOTHTTP/9\r\n\r\n".getBytes(US_ASCII));

            String answer = new String(readToEnd(socket.getInputStream()), US_ASCII);

            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request");
            assertThat(sim.stats().received()).isZero();
        }
    }

    @Test
    void servesOnTheSystemClockWithinItsWorkerLimit() throws Exception {
        try (UpstreamSimulator sim = UpstreamSimulator.start(
                constant(2, 2).queueLimit(100).timeout(Duration.ofSeconds(30)).build())) {
            List<CompletableFuture<HttpResponse<String>>> responses = sendConcurrently(sim, 30);

            assertThat(statuses(responses)).containsOnly(200).hasSize(30);
            SimStats stats = sim.stats();
            assertThat(stats.served()).isEqualTo(30);
            assertThat(stats.maxInFlight()).isBetween(1, 2);
            assertThat(stats.open()).isZero();
        }
    }

    @Test
    void saysWhereItCannotListen() {
        UpstreamSimulator first = start(constant(1, 10));
        SimConfig sameAddress = constant(1, 10)
                .listen(new InetSocketAddress("127.0.0.1", first.port()))
                .build();

        assertThatThrownBy(() -> UpstreamSimulator.start(sameAddress))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen on")
                .hasMessageContaining(String.valueOf(first.port()));
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
