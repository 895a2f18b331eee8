package dev.readmit.profiles.replay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Stubs on 127.0.0.1:0 for WebSocket and raw TCP replayer tests: a WebSocket server that answers each
 * upgrade with a function (101, or a status with headers) and each frame with {@code "ok"}, and a line
 * server that closes its first connections before greeting them. Both record what they saw.
 */
final class MessageStubServer implements AutoCloseable {

    /** One upgrade request as the stub saw it. */
    record Upgrade(long receivedNanos, String uri, HttpHeaders headers) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final List<Upgrade> upgrades = new CopyOnWriteArrayList<>();
    /** When each TCP connection was accepted, {@link System#nanoTime()}. */
    final List<Long> acceptedNanos = new CopyOnWriteArrayList<>();

    private MessageStubServer(ChannelInitializer<Channel> initializer) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(initializer)
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    /** A WebSocket server; {@code answer} decides each upgrade: status 101 upgrades, else that status is sent. */
    static MessageStubServer webSocket(Function<Upgrade, StubServer.Answer> answer) throws InterruptedException {
        return webSocket(answer, bytes -> "ok");
    }

    /**
     * A WebSocket server; {@code answer} decides each upgrade, {@code frameAnswer} the answer to a frame by its
     * payload size (null: no answer).
     */
    static MessageStubServer webSocket(
            Function<Upgrade, StubServer.Answer> answer, Function<Integer, String> frameAnswer)
            throws InterruptedException {
        MessageStubServer[] self = new MessageStubServer[1];
        self[0] = new MessageStubServer(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16))
                        .addLast(new SimpleChannelInboundHandler<Object>() {
                            private WebSocketServerHandshaker handshaker;

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof FullHttpRequest req) {
                                    Upgrade u = new Upgrade(
                                            System.nanoTime(),
                                            req.uri(),
                                            req.headers().copy());
                                    self[0].upgrades.add(u);
                                    StubServer.Answer a = answer.apply(u);
                                    if (a.status() == 101) {
                                        handshaker = new WebSocketServerHandshakerFactory(
                                                        "ws://127.0.0.1" + req.uri(), null, false)
                                                .newHandshaker(req);
                                        handshaker.handshake(ctx.channel(), req);
                                        return;
                                    }
                                    FullHttpResponse resp = new DefaultFullHttpResponse(
                                            HttpVersion.HTTP_1_1,
                                            HttpResponseStatus.valueOf(a.status()),
                                            Unpooled.EMPTY_BUFFER);
                                    for (int i = 0; i + 1 < a.headers().size(); i += 2) {
                                        resp.headers()
                                                .add(
                                                        a.headers().get(i),
                                                        a.headers().get(i + 1));
                                    }
                                    resp.headers()
                                            .setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
                                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                                    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                                } else if (msg instanceof CloseWebSocketFrame close) {
                                    handshaker.close(ctx.channel(), close.retain());
                                } else if (msg instanceof WebSocketFrame frame) {
                                    String text =
                                            frameAnswer.apply(frame.content().readableBytes());
                                    if (text != null) {
                                        ctx.writeAndFlush(new TextWebSocketFrame(text));
                                    }
                                }
                            }
                        });
            }
        });
        return self[0];
    }

    /** A line server that closes its first {@code closeFirst} connections at once, then greets and answers "ok". */
    static MessageStubServer lines(int closeFirst) throws InterruptedException {
        AtomicInteger connections = new AtomicInteger();
        MessageStubServer[] self = new MessageStubServer[1];
        self[0] = new MessageStubServer(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                self[0].acceptedNanos.add(System.nanoTime());
                boolean refuse = connections.getAndIncrement() < closeFirst;
                ch.pipeline().addLast(new LineBasedFrameDecoder(1 << 16)).addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        if (refuse) {
                            ctx.close();
                        } else {
                            ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "hello\n"));
                        }
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "ok\n"));
                    }
                });
            }
        });
        return self[0];
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    URI uri(String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + port());
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
