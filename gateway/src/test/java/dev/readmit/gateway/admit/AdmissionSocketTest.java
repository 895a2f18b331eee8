package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.Decision;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.config.ConfigException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The admission handler behind a real HTTP codec on a loopback socket: reading really pauses and
 * resumes, held buffers are pooled socket buffers, and the waiting room ticks on an event loop.
 * Timing is never asserted; latches only bound how long a broken build hangs.
 */
final class AdmissionSocketTest {

    private static final int TIMEOUT_SECONDS = 20;

    private final ManualClock clock = new ManualClock();
    private final ScriptedDecider decider = new ScriptedDecider();
    private final List<ReferenceCounted> seenContent = new CopyOnWriteArrayList<>();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch clientClosed = new CountDownLatch(1);
    private final CountDownLatch serverSideClosed = new CountDownLatch(1);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(
            1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    private Channel server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private AdmissionGate start(String yaml) throws ConfigException, InterruptedException {
        AdmissionListener listener = new AdmissionListener() {
            @Override
            public void decided(int classIndex, AdmissionSettings.KeyRule keyRule, Decision decision) {}

            @Override
            public void held(int classIndex) {
                held.countDown();
            }

            @Override
            public void leftWaitingRoom(int classIndex, Exit exit, long waitedNanos) {
                if (exit == Exit.CLIENT_CLOSED) {
                    clientClosed.countDown();
                }
            }
        };
        AdmissionGate gate =
                AdmissionGate.create(AdmissionSettingsTest.parse(yaml), decider, new FakeTickets(), clock, listener);
        gate.waitingRoom().start(group, Duration.ofMillis(5), clock);
        server = new ServerBootstrap()
                .group(group)
                .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.closeFuture().addListener(f -> serverSideClosed.countDown());
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new ContentRecorder())
                                .addLast(gate.newHandler())
                                .addLast(new Origin());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
        return gate;
    }

    /** Remembers every content the codec produced, to check afterwards that each was released. */
    private final class ContentRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpContent content && content.content().capacity() > 0) {
                seenContent.add(content);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Stands in for the proxy: answers each request with the number of body bytes it received. */
    private static final class Origin extends ChannelInboundHandlerAdapter {
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpContent content) {
                bytes += content.content().readableBytes();
            }
            boolean last = msg instanceof LastHttpContent;
            // Released before answering, so that a client holding the answer sees the buffer freed.
            ReferenceCountUtil.release(msg);
            if (last) {
                byte[] body = ("got " + bytes + " bytes").getBytes(StandardCharsets.US_ASCII);
                bytes = 0;
                FullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                HttpUtil.setContentLength(response, body.length);
                ctx.writeAndFlush(response);
            }
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
        return socket;
    }

    private static void send(Socket socket, String clientId, String body) throws IOException {
        String request = "POST /upload HTTP/1.1\r\nHost: gateway\r\nX-Client-Id: " + clientId + "\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads one response with a Content-Length body: the head (lower-cased names) and the body. */
    private static String[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headText = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new String[] {headText, new String(body, StandardCharsets.UTF_8)};
    }

    /**
     * The codec's contents are slices of its read buffer and share its reference count, which drops
     * to zero only when the connection's codec lets go too: so this looks once the connection closed.
     */
    private void assertAllContentReleased() throws InterruptedException {
        assertThat(serverSideClosed.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(seenContent).isNotEmpty().allSatisfy(content -> assertThat(content.refCnt())
                .isZero());
    }

    @Test
    void aHeldUploadIsPassedOnWholeWhenItsClientIsAdmitted() throws Exception {
        AdmissionGate gate = start("admission: {waiting: {mode: hold, maxWait: 1h}}");
        decider.byKey.put("a", ScriptedDecider.WAIT);

        try (Socket socket = connect()) {
            send(socket, "a", "hello world");
            assertThat(held.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(gate.waitingRoom().size()).isOne();

            decider.byKey.put("a", Decision.Admit.NEWLY_ADMITTED);
            String[] response = readResponse(socket.getInputStream());

            assertThat(response[0]).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("readmit-ticket: t.a");
            assertThat(response[1]).isEqualTo("got 11 bytes");
        }
        assertThat(gate.waitingRoom().size()).isZero();
        assertAllContentReleased();
    }

    /**
     * Needs epoll: with reading paused, only epoll's RDHUP reports the hang-up at once; NIO notices
     * it when the held request is answered.
     */
    @Test
    @EnabledIf("io.netty.channel.epoll.Epoll#isAvailable")
    void aClientThatHangsUpWhileHeldFreesItsPlaceAndBuffers() throws Exception {
        AdmissionGate gate = start("admission: {waiting: {mode: hold, maxWait: 1h}}");
        decider.byKey.put("b", ScriptedDecider.WAIT);

        try (Socket socket = connect()) {
            send(socket, "b", "x".repeat(3000));
            assertThat(held.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(clientClosed.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.waitingRoom().size()).isZero();
        assertAllContentReleased();
    }

    @Test
    void respondModeAnswersAndKeepsTheConnectionForTheNextRequest() throws Exception {
        start("admission: {waiting: {mode: respond, retryAfterJitter: 0}}");
        decider.byKey.put("c", ScriptedDecider.WAIT);

        try (Socket socket = connect()) {
            send(socket, "c", "abc");
            String[] waiting = readResponse(socket.getInputStream());
            decider.byKey.put("c", Decision.Admit.NEWLY_ADMITTED);
            send(socket, "c", "abcd");
            String[] admitted = readResponse(socket.getInputStream());

            assertThat(waiting[0])
                    .startsWith("HTTP/1.1 503 Service Unavailable")
                    .contains(HttpHeaderNames.RETRY_AFTER + ": 5");
            assertThat(waiting[1]).contains("\"place\":3");
            assertThat(admitted[0]).startsWith("HTTP/1.1 200 OK");
            assertThat(admitted[1]).isEqualTo("got 4 bytes");
        }
        assertAllContentReleased();
    }

    @Test
    void aLargeHeldUploadIsReplayedCompletelyAfterReadingResumes() throws Exception {
        AdmissionGate gate = start("admission: {waiting: {mode: hold, maxWait: 1h}}");
        decider.byKey.put("big", ScriptedDecider.WAIT);
        int size = 4 * 1024 * 1024;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket socket = connect()) {
            // Written from another thread: with reading paused, the write blocks once socket buffers fill.
            Future<?> written = writer.submit(() -> {
                send(socket, "big", "y".repeat(size));
                return null;
            });
            assertThat(held.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

            decider.byKey.put("big", Decision.Admit.NEWLY_ADMITTED);
            String[] response = readResponse(socket.getInputStream());
            written.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

            assertThat(response[1]).isEqualTo("got " + size + " bytes");
        } finally {
            writer.shutdownNow();
        }
        assertThat(gate.waitingRoom().size()).isZero();
        assertAllContentReleased();
    }

    /**
     * A waiting answer to an upload too large to read and drop must still reach the client: the
     * gateway half-closes and drains the rest of the body (a lingering close), so the client's
     * kernel never receives a reset that would throw the unread answer away.
     */
    @Test
    void aWaitingAnswerToALargeUploadReachesTheClientWhoseUploadIsDrainedNotReset() throws Exception {
        start("admission: {waiting: {mode: respond, retryAfterJitter: 0}}");
        decider.byKey.put("late", ScriptedDecider.WAIT);
        int size = 16 * 1024 * 1024;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket socket = connect()) {
            Future<?> written = writer.submit(() -> {
                send(socket, "late", "z".repeat(size));
                return null;
            });
            String[] answer = readResponse(socket.getInputStream());

            assertThat(answer[0])
                    .startsWith("HTTP/1.1 503 Service Unavailable")
                    .containsIgnoringCase("connection: close");
            assertThat(answer[1]).contains("\"status\":\"waiting\"");
            // The whole upload was accepted (read and dropped), then the gateway's side ended cleanly.
            written.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } finally {
            writer.shutdownNow();
        }
        assertAllContentReleased();
    }
}
