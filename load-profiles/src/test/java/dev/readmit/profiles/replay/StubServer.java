package dev.readmit.profiles.replay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A tiny HTTP server on 127.0.0.1:0 for replayer tests: answers with a function and records what it saw. */
public final class StubServer implements AutoCloseable {

    /** One request as the stub saw it. */
    public record Seen(long receivedNanos, String method, String uri, HttpHeaders headers, int bodyBytes) {}

    /** The answer to send: status and extra headers; status 0 sends nothing (a hung server). */
    public record Answer(int status, List<String> headers) {
        public static Answer ok() {
            return new Answer(200, List.of());
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    public final List<Seen> seen = new CopyOnWriteArrayList<>();

    public StubServer(Function<Seen, Answer> answer) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(16 << 20),
                                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                                            @Override
                                            protected void channelRead0(
                                                    ChannelHandlerContext ctx, FullHttpRequest req) {
                                                Seen s = new Seen(
                                                        System.nanoTime(),
                                                        req.method().name(),
                                                        req.uri(),
                                                        req.headers().copy(),
                                                        req.content().readableBytes());
                                                seen.add(s);
                                                Answer a = answer.apply(s);
                                                if (a.status() == 0) {
                                                    return;
                                                }
                                                FullHttpResponse resp = new DefaultFullHttpResponse(
                                                        HttpVersion.HTTP_1_1,
                                                        HttpResponseStatus.valueOf(a.status()),
                                                        Unpooled.EMPTY_BUFFER);
                                                for (int i = 0;
                                                        i + 1 < a.headers().size();
                                                        i += 2) {
                                                    resp.headers()
                                                            .add(
                                                                    a.headers().get(i),
                                                                    a.headers().get(i + 1));
                                                }
                                                resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                                                HttpUtil.setKeepAlive(resp, HttpUtil.isKeepAlive(req));
                                                ctx.writeAndFlush(resp);
                                            }
                                        });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
