package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.Await;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slow upstream and a fixed concurrency limit: however many admitted requests arrive at once, on
 * however many event loops, the upstream never has more than the limit in flight; the others wait at
 * the gateway for a slot and every one of them is answered, once.
 */
@ExtendWith(LeakCheckExtension.class)
final class BackpressureTest {

    private static final int LIMIT = 4;
    private static final int REQUESTS = 40;

    private final ManualClock clock = new ManualClock();
    private final CountingUpstream upstream = new CountingUpstream();
    private final ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
    private AdmittedGateway gateway;

    BackpressureTest() throws java.io.IOException {}

    @AfterEach
    void stop() throws Exception {
        upstream.openTheTap();
        clients.shutdownNow();
        clients.awaitTermination(20, TimeUnit.SECONDS);
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @Test
    void upstreamNeverSeesMoreThanTheLimitInFlightAndEveryRequestIsAnsweredOnce() throws Exception {
        gateway = AdmittedGateway.start(
                upstream.url(),
                "workerThreads: 2\n"
                        + "admission:\n"
                        + "  openPercent: 100\n"
                        + "  newClientsPerSecond: 1000\n"
                        + "  concurrency: {algorithm: fixed, initial: " + LIMIT + ", min: " + LIMIT + ", max: "
                        + LIMIT + "}\n",
                clock);
        try (KeepAliveClient first = new KeepAliveClient(gateway.address())) {
            assertThat(first.get("/seq/0", "X-Client-Id: steady").status()).isEqualTo(200);
        }

        CountDownLatch sent = new CountDownLatch(REQUESTS);
        List<Future<RawHttp.Response>> answers = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            answers.add(clients.submit(() -> {
                try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
                    client.send("GET", "/slow", "X-Client-Id: steady").flush();
                    sent.countDown();
                    return client.read();
                }
            }));
        }
        assertThat(sent.await(20, TimeUnit.SECONDS)).isTrue();

        // Let the upstream answer one request at a time; after each answer the gateway hands the freed
        // slot to a waiting request, until none is left.
        for (int answered = 0; answered < REQUESTS; answered++) {
            int expected = Math.min(LIMIT, REQUESTS - answered);
            int done = answered;
            Await.until(
                    expected + " in flight after " + done + " answered",
                    () -> upstream.inFlight() == expected && upstream.slowAnswered() == done);
            assertThat(gateway.admission().controller().limiter().inFlight())
                    .as("slots taken at the gateway")
                    .isLessThanOrEqualTo(LIMIT);
            upstream.release(1);
        }

        for (Future<RawHttp.Response> answer : answers) {
            RawHttp.Response r = answer.get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("slow");
        }
        assertThat(upstream.maxInFlight())
                .as("most requests in flight upstream")
                .isEqualTo(LIMIT);
        assertThat(upstream.requests()).as("requests the upstream received").isEqualTo(REQUESTS + 1);
        Await.until(
                "every slot given back",
                () -> gateway.admission().controller().limiter().inFlight() == 0);
    }
}
