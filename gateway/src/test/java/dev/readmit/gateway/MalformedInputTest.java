package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests mutated at random ({@link MutatedRequests}, a fixed seed): whatever arrives, each connection
 * ends in well-formed answers or a clean close, never a {@code 500}, no buffer leaks (PARANOID), and the
 * gateway serves a well-formed request afterwards.
 */
@ExtendWith(LeakCheckExtension.class)
final class MalformedInputTest {

    private static final List<String> BASE = List.of(
            "GET /seq/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n",
            "GET /seq/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /seq/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET /seq/3 HTTP/1.1\r\nHost: a\r\nX-Client-Id: c\r\nCookie: readmit=abc; b=1\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n",
            "PUT /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
                    + "abc");

    private UpstreamStub upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new UpstreamStub();
        gateway = GatewayHarness.start(
                upstream.url(),
                "upstream:\n  url: " + upstream.url() + "\n  responseTimeout: 500ms\n"
                        + "limits:\n  maxInitialLineLength: 1KiB\n  maxHeaderSize: 4KiB\n"
                        + "  requestHeaderTimeout: 300ms\n  clientIdleTimeout: 300ms\n  requestBodyTimeout: 300ms\n");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    @Test
    void everyMutatedRequestEndsInWellFormedAnswersOrACleanCloseAndTheGatewayGoesOn() throws Exception {
        MutatedRequests.Outcome outcome = MutatedRequests.send(gateway.localAddress(), BASE, 20261123L, 240, 8);

        assertThat(outcome.problems())
                .as("connections that hung or carried a bad answer")
                .isEmpty();
        assertThat(outcome.answered())
                .as("connections that got at least one answer")
                .isGreaterThan(120);
        assertThat(outcome.statuses())
                .as("proxied and refused: " + outcome.statuses())
                .containsKeys(200, 400);
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response ok =
                    raw.send("GET /seq/ok HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).isEqualTo("ok");
        }
    }
}
