package dev.readmit.profiles.sim;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The simulator's long-lived connections over real sockets on 127.0.0.1: WebSocket frames and raw TCP
 * lines go through the same capacity model as requests. Time is a {@link ManualSimTimer}, so which message
 * gets which answer never depends on how fast this machine is.
 */
final class UpstreamSimulatorMessagesTest {

    @RegisterExtension
    final NettyLeakExtension leaks = new NettyLeakExtension();

    private final ManualSimTimer timer = new ManualSimTimer();
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

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** A JDK WebSocket client that queues every text message it receives. */
    private static final class Received implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String s = texts.poll(20, TimeUnit.SECONDS);
            assertThat(s).as("an answer frame").isNotNull();
            return s;
        }
    }

    private WebSocket connect(UpstreamSimulator sim, String path, Received listener) throws Exception {
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + sim.port() + path), listener)
                .get(20, TimeUnit.SECONDS);
        toClose.add(() -> ws.abort());
        return ws;
    }

    @Test
    void answersEachWebSocketFrameThroughTheModelSoOverloadShows() throws Exception {
        UpstreamSimulator sim = start(constant(1, 100).queueLimit(0));
        Received first = new Received();
        Received second = new Received();
        WebSocket a = connect(sim, "/chat/connect", first);
        WebSocket b = connect(sim, "/any/other/path", second);

        a.sendText("x".repeat(120), true).get(20, TimeUnit.SECONDS);
        await("the first frame is in service", () -> sim.stats().inFlight() == 1);
        b.sendText("hello", true).get(20, TimeUnit.SECONDS);

        assertThat(second.next()).as("the only worker is busy, no queue").isEqualTo("503 overloaded: queue full");
        assertThat(first.texts).isEmpty();
        timer.advance(Duration.ofMillis(100));
        assertThat(first.next()).isEqualTo("200 served");

        SimStats stats = sim.stats();
        assertThat(stats.received()).isEqualTo(2);
        assertThat(stats.served()).isEqualTo(1);
        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.bodyBytes()).isEqualTo(125);
    }

    @Test
    void greetsARawTcpConnectionAndAnswersItsLinesInOrderOneAtATime() throws Exception {
        UpstreamSimulator sim = start(constant(2, 10).tcpListen(new InetSocketAddress("127.0.0.1", 0)));
        try (Socket s = new Socket("127.0.0.1", sim.tcpPort())) {
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
            assertThat(in.readLine()).isEqualTo(SimMessageHandler.GREETING);

            OutputStream out = s.getOutputStream();
            out.write("JOIN #readmit\nPRIVMSG #readmit :hi\n".getBytes(US_ASCII));
            await("the first line is in service", () -> sim.stats().received() == 1);
            assertThat(sim.stats().inFlight())
                    .as("the second line waits for the first one's answer, although a worker is free")
                    .isEqualTo(1);
            timer.advance(Duration.ofMillis(10));
            assertThat(in.readLine()).isEqualTo("200 served");
            await("the second line is in service", () -> sim.stats().received() == 2);
            timer.advance(Duration.ofMillis(10));
            assertThat(in.readLine()).isEqualTo("200 served");
        }
        assertThat(sim.stats().served()).isEqualTo(2);
        assertThat(sim.stats().bodyBytes()).isEqualTo("JOIN #readmit".length() + "PRIVMSG #readmit :hi".length());
    }

    @Test
    void keepsPlainHttpOnTheSamePortAsWebSockets() throws Exception {
        UpstreamSimulator sim = start(constant(1, 10));
        var response = HttpClient.newHttpClient()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + "/work"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        await("the request arrived", () -> sim.stats().received() == 1);
        timer.advance(Duration.ofMillis(10));
        assertThat(response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void hasNoTcpLineServiceUnlessAsked() {
        UpstreamSimulator sim = start(constant(1, 10));
        assertThat(sim.tcpAddress()).isNull();
    }
}
