package dev.readmit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.MutatedRequests;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API under mutated requests ({@link MutatedRequests}, a fixed seed): reads, authenticated
 * writes with JSON bodies, with the token, the JSON and the framing mangled. Each connection ends in
 * well-formed answers or a close, never a {@code 500}, no buffer leaks, and the API answers afterwards.
 */
@ExtendWith(LeakCheckExtension.class)
final class AdminMalformedInputTest {

    private static final String AUTH = "Authorization: Bearer " + AdminFixture.TOKEN + "\r\n";

    private static String post(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: a\r\n" + AUTH + "Content-Type: application/json\r\n"
                + "Content-Length: " + json.length() + "\r\nConnection: close\r\n\r\n" + json;
    }

    private static final List<String> BASE = List.of(
            "GET /status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET /events?limit=5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            post("/ramp/open", "{\"class\": \"everyone\", \"percent\": 30}"),
            post("/rate", "{\"perSecond\": 25, \"burst\": 10}"),
            post("/message", "{\"text\": \"back at 15:00 UTC\"}"),
            post("/ramp/pause", "{\"class\": \"paying\"}"),
            "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

    @Test
    void everyMutatedRequestGetsAWellFormedAnswerOrACloseAndNeverA500(@TempDir Path dir) throws Exception {
        // Unfinished requests and idle keep-alives are closed after the read timeout: short here, so that
        // the 10 s bound on each connection tells a hang from the timeout doing its work.
        try (AdminFixture f = new AdminFixture(
                dir, AdminToken.of(AdminFixture.TOKEN, "test"), true, java.time.Duration.ofMillis(300))) {
            InetSocketAddress admin =
                    new InetSocketAddress("127.0.0.1", f.admin.localAddress().getPort());

            MutatedRequests.Outcome outcome = MutatedRequests.send(admin, BASE, 99L, 160, 8);

            assertThat(outcome.problems())
                    .as("connections that hung or carried a bad answer")
                    .isEmpty();
            assertThat(outcome.statuses())
                    .as("served, refused as malformed, and refused without the token: " + outcome.statuses())
                    .containsKeys(200, 400, 401);
            assertThat(f.get("/healthz").statusCode()).isEqualTo(200);
        }
    }
}
