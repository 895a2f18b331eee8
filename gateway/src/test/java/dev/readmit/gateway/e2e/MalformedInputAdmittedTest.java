package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.MutatedRequests;
import dev.readmit.gateway.RawHttp;
import dev.readmit.gateway.UpstreamStub;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mutated requests ({@link MutatedRequests}, a fixed seed) through the admission stages: client keys,
 * cookies and tickets mangled, half of the cohorts closed, waiting requests held (hold mode, a short
 * queue) or answered at once (respond mode). Each connection ends in well-formed answers or a clean close,
 * never a {@code 500}, no buffer leaks, and the gateway admits a well-formed request afterwards.
 */
@ExtendWith(LeakCheckExtension.class)
final class MalformedInputAdmittedTest {

    private static final List<String> BASE = List.of(
            "GET /seq/1 HTTP/1.1\r\nHost: a\r\nX-Client-Id: alice\r\nConnection: close\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nX-Client-Id: bob\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            "GET /seq/2 HTTP/1.1\r\nHost: a\r\nCookie: readmit=AWitzkSEmCQfaHVF_AAAAABrBJGJAAAAAGsF4wkf; x=1\r\n"
                    + "Connection: close\r\n\r\n",
            "GET /seq/3 HTTP/1.1\r\nHost: a\r\nReadmit-Ticket: AWitzkSEmCQfaHVF_AAAAABrBJGJAAAAAGsF4wkfSIw4\r\n"
                    + "X-Client-Id: carol\r\n\r\nGET /seq/4 HTTP/1.1\r\nHost: a\r\nX-Client-Id: carol\r\n"
                    + "Connection: close\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nX-Client-Id: dave\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /restore/x?user=erin HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t0k3n\r\nConnection: close\r\n\r\n");

    private static String config(String upstream, String waitingMode) {
        return "upstream:\n  url: " + upstream + "\n  responseTimeout: 500ms\n"
                + "limits:\n  maxHeaderSize: 4KiB\n  requestHeaderTimeout: 300ms\n  clientIdleTimeout: 300ms\n"
                + "  requestBodyTimeout: 300ms\n"
                + "admission:\n  openPercent: 50\n"
                + "  clientKey: [{header: X-Client-Id}, {cookie: readmit}, {query: user}, authorization, ticket]\n"
                + "  classes:\n    - name: restores\n      match: {path: \"/restore/**\"}\n      alwaysOpen: true\n"
                + "  waiting: {mode: " + waitingMode + ", maxQueue: 4, maxWait: 300ms}\n";
    }

    private static void sendAndCheck(String waitingMode, long seed) throws Exception {
        try (UpstreamStub upstream = new UpstreamStub();
                AdmittedGateway gateway =
                        AdmittedGateway.startOnSystemClock(upstream.url(), config(upstream.url(), waitingMode))) {
            MutatedRequests.Outcome outcome = MutatedRequests.send(gateway.address(), BASE, seed, 180, 8);

            assertThat(outcome.problems())
                    .as("connections that hung or carried a bad answer")
                    .isEmpty();
            assertThat(outcome.answered())
                    .as("connections that got at least one answer")
                    .isGreaterThan(90);
            try (RawHttp raw = new RawHttp(gateway.address())) {
                RawHttp.Response ok =
                        raw.send("GET /restore/ok HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(ok.status()).as("an always-open class").isEqualTo(404);
                assertThat(ok.bodyText()).isEqualTo("no such endpoint /restore/ok");
            }
        }
    }

    @Test
    void holdMode() throws Exception {
        sendAndCheck("hold", 7L);
    }

    @Test
    void respondMode() throws Exception {
        sendAndCheck("respond", 11L);
    }
}
