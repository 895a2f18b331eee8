package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.proxy.UpstreamFailure;
import dev.readmit.gateway.proxy.UpstreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every request sent upstream is reported as started and then exactly once as answered, failed or abandoned. */
@ExtendWith(LeakCheckExtension.class)
final class UpstreamObserverTest {

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final UpstreamObserver recorder = new UpstreamObserver() {
        @Override
        public void requestStarted() {
            events.add("started");
        }

        @Override
        public void responseReceived(int status, long latencyNanos) {
            events.add("received " + status + (latencyNanos >= 0 ? "" : " negative latency"));
        }

        @Override
        public void requestFailed(UpstreamFailure.Kind kind, long latencyNanos) {
            events.add("failed " + kind + (latencyNanos >= 0 ? "" : " negative latency"));
        }

        @Override
        public void requestAbandoned(long latencyNanos) {
            events.add("abandoned" + (latencyNanos >= 0 ? "" : " negative latency"));
        }
    };

    private ScriptedUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new ScriptedUpstream();
        gateway = GatewayHarness.start(
                upstream.url(),
                "upstream:\n  url: " + upstream.url() + "\n  responseTimeout: 300ms\n"
                        + "limits:\n  requestBodyTimeout: 200ms\n",
                AdmissionStages.NONE,
                recorder);
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    private List<String> next(int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                break;
            }
            got.add(e);
        }
        return got;
    }

    private int status(String path) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
                    .read()
                    .status();
        }
    }

    @Test
    void reportsEachOutcomeOncePerRequest() throws Exception {
        assertThat(status("/ok")).isEqualTo(200);
        assertThat(next(2)).containsExactly("started", "received 200");
        assertThat(status("/reset-before")).isEqualTo(502);
        assertThat(next(2)).containsExactly("started", "failed UNREACHABLE");
        assertThat(status("/silent")).isEqualTo(504);
        assertThat(next(2)).containsExactly("started", "failed TIMEOUT");
        assertThat(status("/nothing-here")).isEqualTo(404);
        assertThat(next(2)).containsExactly("started", "received 404");
        assertThat(events).isEmpty();
    }

    @Test
    void reportsAClientThatLeavesBeforeTheAnswerAsAbandoned() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            raw.send("GET /silent HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(next(1)).containsExactly("started");
            raw.socket().setSoLinger(true, 0);
        }
        assertThat(next(1)).containsExactly("abandoned");
    }

    @Test
    void reportsAClientThatStopsSendingItsBodyAsAbandonedNotAsAnUpstreamFailure() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r = raw.send("POST /silent HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello")
                    .read();
            assertThat(r.status()).isEqualTo(408);
        }
        assertThat(next(2)).containsExactly("started", "abandoned");
        assertThat(events).isEmpty();
    }

    @Test
    void doesNotReportRequestsRefusedBeforeReachingTheUpstream() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            assertThat(raw.send("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(405);
        }
        assertThat(status("/ok")).isEqualTo(200);
        assertThat(next(2)).containsExactly("started", "received 200");
    }
}
