package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
final class WebSocketAndTcpTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private EventLoopGroup upstreamGroup;
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstreamGroup != null) {
            upstreamGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        threads.shutdownNow();
    }

    /** A Netty WebSocket server at {@code /ws} that echoes text frames; returns its port. */
    private int startWebSocketEcho() throws InterruptedException {
        upstreamGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(upstreamGroup)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(65536))
                                .addLast(new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20))
                                .addLast(new WebSocketFrameAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo:" + f.text()));
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Test
    void relaysWebSocketFramesBothWaysAfterTheUpgrade() throws Exception {
        int port = startWebSocketEcho();
        gateway = GatewayHarness.start("http://127.0.0.1:" + port, "");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + gateway.localAddress().getPort() + "/ws"), listener)
                .get(10, TimeUnit.SECONDS);
        String big = "x".repeat(300_000);
        for (String message : new String[] {"hello", "second", big}) {
            ws.sendText(message, true).get(10, TimeUnit.SECONDS);
            String echoed = received.poll(10, TimeUnit.SECONDS);
            assertThat(echoed)
                    .as("echo of a %d-character message", message.length())
                    .isNotNull();
            assertThat(echoed.equals("echo:" + message))
                    .as("echo of a %d-character message intact", message.length())
                    .isTrue();
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    /** A blocking echo server; counts accepted connections. */
    private ServerSocket startTcpEcho(AtomicInteger accepted) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    threads.execute(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    @Test
    void relaysBytesBothWaysInTcpMode() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket echo = startTcpEcho(accepted)) {
            gateway = GatewayHarness.start(
                    "", "mode: tcp\nupstream:\n  url: tcp://127.0.0.1:" + echo.getLocalPort() + "\n");
            try (Socket s = new Socket("127.0.0.1", gateway.localAddress().getPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] line = "NICK alice\r\n".getBytes(StandardCharsets.US_ASCII);
                out.write(line);
                byte[] back = new byte[line.length];
                in.readFully(back);
                assertThat(back).isEqualTo(line);

                byte[] big = UpstreamStub.pattern(4 * 1024 * 1024);
                threads.execute(() -> {
                    try {
                        out.write(big);
                    } catch (IOException e) {
                        // the assertion below reports it
                    }
                });
                byte[] echoed = new byte[big.length];
                in.readFully(echoed);
                assertThat(echoed).isEqualTo(big);
            }
        }
        assertThat(accepted.get()).isEqualTo(1);
    }

    @Test
    void startsATcpSessionOnlyWhenTheAdmissionStageLetsChannelActiveThrough() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
        AdmissionStages gate = (pipeline, mode) -> pipeline.addLast("admission", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                held.add(ctx);
            }
        });
        try (ServerSocket echo = startTcpEcho(accepted)) {
            gateway = GatewayHarness.start(
                    "", "mode: tcp\nupstream:\n  url: tcp://127.0.0.1:" + echo.getLocalPort() + "\n", gate);
            try (Socket s = new Socket("127.0.0.1", gateway.localAddress().getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                ChannelHandlerContext ctx = held.poll(10, TimeUnit.SECONDS);
                assertThat(ctx).isNotNull();
                assertThat(accepted.get())
                        .as("no upstream session before admission")
                        .isZero();
                ctx.executor().execute(ctx::fireChannelActive);
                InputStream in = s.getInputStream();
                byte[] back = new byte[6];
                new DataInputStream(in).readFully(back);
                assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("PING\r\n");
            }
        }
        assertThat(accepted.get()).isEqualTo(1);
    }
}
