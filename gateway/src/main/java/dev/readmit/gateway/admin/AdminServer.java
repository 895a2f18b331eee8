package dev.readmit.gateway.admin;

import dev.readmit.gateway.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's HTTP server: one event loop of its own (so admin traffic never shares a loop with
 * client traffic), and one worker thread that runs {@link AdminApi#handle} (a config reload reads a
 * file, which must not happen on an event loop).
 *
 * <p>Admin bodies are small JSON documents, so a request is aggregated up to {@value #MAX_BODY_BYTES}
 * bytes (more gets 413 from the aggregator) and copied into an {@link AdminRequest}: no buffer
 * crosses to the worker thread. Thread safe; {@link #close} is idempotent.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    /** How long a connection may send nothing (a request not finished, or an idle keep-alive) by default. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private final EventLoopGroup group;
    private final ExecutorService worker;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, ExecutorService worker, Channel channel) {
        this.group = group;
        this.worker = worker;
        this.channel = channel;
    }

    /**
     * Binds and returns once connections are accepted.
     *
     * @param listen where to listen; port 0 for an ephemeral port (see {@link #localAddress})
     * @throws IOException if the address cannot be bound; no thread is left running
     */
    public static AdminServer start(HostPort listen, AdminApi api) throws IOException {
        return start(listen, api, DEFAULT_READ_TIMEOUT);
    }

    /**
     * Binds and returns once connections are accepted.
     *
     * @param readTimeout a connection that sends nothing for this long (a request not finished, or idle
     *     between requests) is closed
     * @throws IOException if the address cannot be bound; no thread is left running
     */
    public static AdminServer start(HostPort listen, AdminApi api, Duration readTimeout) throws IOException {
        long readTimeoutNanos = readTimeout.toNanos();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("readmit-admin-io"), NioIoHandler.newFactory());
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "readmit-admin");
            t.setDaemon(true);
            return t;
        });
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("timeout", new ReadTimeoutHandler(readTimeoutNanos, TimeUnit.NANOSECONDS))
                                .addLast("codec", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast("admin", new Handler(api, worker));
                    }
                });
        ChannelFuture bound = b.bind(listen.toSocketAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            worker.shutdownNow();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException(
                    "cannot listen on " + listen + " for the admin API: "
                            + bound.cause().getMessage(),
                    bound.cause());
        }
        AdminServer server = new AdminServer(group, worker, bound.channel());
        log.info("admin API listening on {} (status page at http://{}/)", server.localAddress(), hostPort(server));
        return server;
    }

    private static String hostPort(AdminServer s) {
        InetSocketAddress a = s.localAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (!channel.isOpen() && group.isShuttingDown()) {
            return;
        }
        channel.close().awaitUninterruptibly();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Copies each request out of its buffers, answers it on the worker, writes the answer back. */
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdminApi api;
        private final ExecutorService worker;

        Handler(AdminApi api, ExecutorService worker) {
            this.api = api;
            this.worker = worker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            boolean keepAlive = HttpUtil.isKeepAlive(msg);
            if (msg.decoderResult().isFailure()) {
                write(ctx, AdminResponse.json(400, "{\"error\":\"malformed HTTP request\"}"), false, false);
                return;
            }
            String uri = msg.uri();
            int q = uri.indexOf('?');
            AdminRequest request = new AdminRequest(
                    msg.method().name(),
                    q < 0 ? uri : uri.substring(0, q),
                    q < 0 ? "" : uri.substring(q + 1),
                    msg.headers().get(HttpHeaderNames.AUTHORIZATION),
                    msg.headers().get("X-Readmit-Operator"),
                    msg.content().toString(StandardCharsets.UTF_8),
                    describe(ctx.channel().remoteAddress()));
            boolean head = msg.method().equals(HttpMethod.HEAD);
            try {
                worker.execute(() -> write(ctx, api.handle(request), keepAlive, head));
            } catch (RejectedExecutionException e) {
                write(ctx, AdminResponse.json(503, "{\"error\":\"the admin API is shutting down\"}"), false, false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }

        private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, boolean head) {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                    .set(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .set("X-Content-Type-Options", "nosniff");
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                response.headers().set(h.getKey(), h.getValue());
            }
            if (keepAlive) {
                HttpUtil.setKeepAlive(response, true);
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static String describe(SocketAddress address) {
            if (address instanceof InetSocketAddress a) {
                return a.getAddress().getHostAddress() + ":" + a.getPort();
            }
            return String.valueOf(address);
        }
    }
}
