package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.Await;
import dev.readmit.gateway.LeakCheckExtension;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP mode with admission by source address: an admitted connection is relayed to the upstream; a
 * waiting one is held (no upstream session, nothing read) until its cohort opens, or closed once it has
 * waited {@code maxWait} on the gateway's clock. The held connection re-asks on a short real-time timer;
 * whether it may wait longer is judged on the manual clock, so the test moves that clock instead of
 * sleeping.
 */
@ExtendWith(LeakCheckExtension.class)
final class TcpAdmissionTest {

    private static final int DEFAULT_CLASS = 0;
    private static final byte[] PING = "PING :readmit\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ManualClock clock = new ManualClock();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocket echo;
    private AdmittedGateway gateway;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    accepted.incrementAndGet();
                    threads.execute(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // the gateway closed the session
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        echo.close();
        threads.shutdownNow();
    }

    private void startGateway(int openPercent) throws Exception {
        gateway = AdmittedGateway.start(
                "",
                "mode: tcp\n"
                        + "upstream:\n  url: tcp://127.0.0.1:" + echo.getLocalPort() + "\n"
                        + "admission:\n"
                        + "  openPercent: " + openPercent + "\n"
                        + "  newClientsPerSecond: 1000\n"
                        + "  waiting: {maxWait: 5s}\n",
                clock);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", gateway.address().getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void assertEchoes(Socket s) throws IOException {
        byte[] back = new byte[PING.length];
        new DataInputStream(s.getInputStream()).readFully(back);
        assertThat(back).isEqualTo(PING);
    }

    /** Waits until the held connection has been asked about {@code n} times (the first plus rechecks). */
    private void awaitDecisions(long n) {
        Await.until(
                n + " decisions for the held connection",
                () -> gateway.admission().controller().counters().waits(DEFAULT_CLASS) >= n);
    }

    @Test
    void admittedConnectionIsRelayedToTheUpstream() throws Exception {
        startGateway(100);
        try (Socket s = connect()) {
            s.getOutputStream().write(PING);
            assertEchoes(s);
        }
        assertThat(accepted.get()).isEqualTo(1);
        assertThat(gateway.admission().controller().admittedClients())
                .as("the source address is the admitted client")
                .isEqualTo(1);
    }

    @Test
    void waitingConnectionIsHeldThenClosedAfterTheMaximumWait() throws Exception {
        startGateway(0);
        try (Socket s = connect()) {
            s.getOutputStream().write(PING);
            awaitDecisions(3);
            assertThat(accepted.get()).as("upstream sessions while held").isZero();

            clock.advance(Duration.ofSeconds(5));
            int read;
            try {
                read = s.getInputStream().read();
            } catch (SocketException e) {
                read = -1;
            }
            assertThat(read)
                    .as("the gateway closed the connection without a byte")
                    .isEqualTo(-1);
        }
        assertThat(accepted.get()).as("upstream sessions").isZero();
    }

    @Test
    void heldConnectionStartsItsSessionWhenItsCohortOpensAndKeepsWhatItSent() throws Exception {
        startGateway(0);
        try (Socket s = connect()) {
            s.getOutputStream().write(PING);
            awaitDecisions(2);
            assertThat(accepted.get()).isZero();

            gateway.admission().controller().plan().ramp(DEFAULT_CLASS).setOpenFraction(1.0, "test-operator");
            assertEchoes(s);
        }
        assertThat(accepted.get()).isEqualTo(1);
    }
}
