package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
final class GracefulShutdownTest {

    private UpstreamStub upstream;

    @BeforeEach
    void start() throws IOException {
        upstream = new UpstreamStub();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static boolean refusesConnections(Gateway gateway) {
        try (Socket s = new Socket("127.0.0.1", gateway.localAddress().getPort())) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void finishesInFlightRequestsStopsAcceptingAndClosesIdleConnections() throws Exception {
        Gateway gateway = GatewayHarness.start(upstream.url(), "shutdown:\n  drainTimeout: 20s\n");
        try (RawHttp busy = new RawHttp(gateway.localAddress());
                RawHttp idle = new RawHttp(gateway.localAddress())) {
            assertThat(idle.send("GET /seq/1 HTTP/1.1\r\nHost: a\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
            busy.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            Await.until("the upstream holds the request", () -> upstream.holding() >= 1);
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(gateway::shutdown);
            assertThat(idle.isClosedByPeer())
                    .as("an idle kept-alive connection closes at once")
                    .isTrue();
            Await.until("the gateway refuses connections", () -> refusesConnections(gateway));
            assertThat(shutdown).isNotDone();

            upstream.release();
            RawHttp.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("released");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(busy.isClosedByPeer()).isTrue();
            shutdown.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void closesWhatIsStillOpenAtTheDrainDeadline() throws Exception {
        Gateway gateway = GatewayHarness.start(upstream.url(), "shutdown:\n  drainTimeout: 200ms\n");
        try (RawHttp busy = new RawHttp(gateway.localAddress())) {
            busy.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            Await.until("the upstream holds the request", () -> upstream.holding() >= 1);
            gateway.shutdown();
            assertThat(busy.isClosedByPeer()).isTrue();
            assertThat(gateway.openConnections()).isZero();
        }
    }
}
