package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each failure gets its answer (or a clean close), and the gateway goes on serving: every test ends by
 * proving a fresh connection still gets a correct response.
 */
@ExtendWith(LeakCheckExtension.class)
final class FailureModesTest {

    private ScriptedUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new ScriptedUpstream();
        gateway = GatewayHarness.start(
                upstream.url(),
                "upstream:\n  url: " + upstream.url() + "\n  responseTimeout: 300ms\n  readTimeout: 300ms\n"
                        + "limits:\n  maxInitialLineLength: 1KiB\n  maxHeaderSize: 4KiB\n"
                        + "  requestBodyTimeout: 200ms\n");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    private RawHttp.Response get(String path) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    private void stillServes() throws IOException {
        RawHttp.Response ok = get("/ok");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.bodyText()).isEqualTo("ok");
    }

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource({
        "/reset-before, 502",
        "/close-before, 502",
        "/garbage, 502",
        "/silent, 504",
    })
    void answersAnUpstreamThatGivesNoResponse(String path, int status) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r =
                    raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        stillServes();
    }

    @Test
    void answers502WhenTheUpstreamRefusesConnections() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (Gateway refused = GatewayHarness.start("http://127.0.0.1:" + closedPort, "")) {
            for (int i = 0; i < 3; i++) {
                try (RawHttp raw = new RawHttp(refused.localAddress())) {
                    RawHttp.Response r =
                            raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(502);
                }
            }
        }
        stillServes();
    }

    @ParameterizedTest
    @CsvSource({"/reset-mid-length", "/reset-mid-chunked", "/stall-mid-length", "/stall-mid-chunked"})
    void closesTheClientWhenTheUpstreamResetsOrStallsMidResponse(String path) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r =
                    raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.complete())
                    .as("a truncated response must not look complete")
                    .isFalse();
        }
        stillServes();
    }

    @Test
    void retriesASafeRequestOnceWhenAKeptAliveConnectionTurnsOutClosed() throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r =
                        raw.send("GET /keep HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).as("request %d", i).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("kept");
            }
        }
        assertThat(gateway.upstreamPool().connectionsOpened()).isEqualTo(3);
    }

    @Test
    void doesNotRetryARequestWithABody() throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            assertThat(raw.send("GET /keep HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
                    .isEqualTo(200);
            RawHttp.Response r = raw.send("POST /keep HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
                    .read();
            assertThat(r.status()).isEqualTo(502);
        }
    }

    @Test
    void removesHopByHopResponseHeaders() throws IOException {
        RawHttp.Response r = get("/hop");
        assertThat(r.bodyText()).isEqualTo("hop");
        assertThat(r.headers())
                .doesNotContainKeys("x-hop", "keep-alive", "proxy-authenticate", "upgrade")
                .containsEntry("x-end", "kept")
                .containsEntry("via", "1.1 readmit");
    }

    @Test
    void answers503WhenEveryUpstreamConnectionIsBusy() throws Exception {
        gateway.close();
        gateway = GatewayHarness.start(
                upstream.url(),
                "upstream:\n  url: " + upstream.url() + "\n  maxConnections: 1\n  connectTimeout: 200ms\n"
                        + "  responseTimeout: 20s\n");
        try (RawHttp busy = new RawHttp(gateway.localAddress());
                RawHttp second = new RawHttp(gateway.localAddress())) {
            busy.send("GET /silent HTTP/1.1\r\nHost: a\r\n\r\n");
            // The first request holds the only connection until the gateway gives up on it (20 s), so the
            // second waits for the connect timeout and is turned away.
            Await.until(
                    "the first request holds the upstream connection",
                    () -> gateway.upstreamPool().openConnections() >= 1);
            RawHttp.Response r =
                    second.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed request line | 400",
                "oversized request line | 414",
                "oversized headers | 431",
                "Content-Length and Transfer-Encoding | 400",
                "two different Content-Length values | 400",
                "header without a colon | 400",
            })
    void refusesBadRequestsAndCloses(String kind, int status) throws IOException {
        String request =
                switch (kind) {
                    case "malformed request line" -> "GET\r\n\r\n";
                    case "oversized request line" -> "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n";
                    case "oversized headers" -> "GET /ok HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(5000)
                            + "\r\n\r\n";
                    case "Content-Length and Transfer-Encoding" -> "POST /ok HTTP/1.1\r\nHost: a\r\n"
                            + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
                    case "two different Content-Length values" -> "POST /ok HTTP/1.1\r\nHost: a\r\n"
                            + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!";
                    default -> "GET /ok HTTP/1.1\r\nHost a\r\n\r\n";
                };
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r = raw.send(request).read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        stillServes();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "CONNECT | CONNECT example.org:443 HTTP/1.1\\r\\nHost: example.org:443\\r\\n\\r\\n | 405",
                "an unknown expectation | POST /ok HTTP/1.1\\r\\nHost: a\\r\\nExpect: magic\\r\\nContent-Length: 1\\r\\n\\r\\n"
                        + " | 417",
            })
    void refusesWhatAReverseProxyCannotDoAndCloses(String kind, String request, int status) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r = raw.send(request.replace("\\r\\n", "\r\n")).read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        stillServes();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "chunked | Transfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n",
                "Content-Length | Content-Length: 10\\r\\n\\r\\nhello",
            })
    void answers408ToAClientThatStopsSendingItsBodyAndGoesOn(String kind, String rest) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            // The upstream (/silent) takes the head and waits for the rest, which never comes.
            RawHttp.Response r = raw.send("POST /silent HTTP/1.1\r\nHost: a\r\n" + rest.replace("\\r\\n", "\r\n"))
                    .read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
        }
        stillServes();
    }

    @Test
    void answers408ToAClientTooSlowToSendItsHead() throws Exception {
        gateway.close();
        gateway = GatewayHarness.start(upstream.url(), "limits:\n  requestHeaderTimeout: 200ms\n");
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response r = raw.send("GET /ok HTTP/1.1\r\nHost: a\r\n").read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        stillServes();
    }

    @Test
    void closesAKeptAliveConnectionLeftIdle() throws Exception {
        gateway.close();
        gateway = GatewayHarness.start(upstream.url(), "limits:\n  clientIdleTimeout: 200ms\n");
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        stillServes();
    }
}
