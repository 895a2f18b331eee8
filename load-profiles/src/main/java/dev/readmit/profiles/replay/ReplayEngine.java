package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.OnReject;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The running part of one replay: event loops, per-loop connection state and the clients. Created and
 * closed by {@link Replayer}; the fields read by event loops are final or {@code volatile}.
 */
final class ReplayEngine implements AutoCloseable {
    private static final int BODY_SLICE_BYTES = 64 * 1024;
    /** Largest answer to a WebSocket upgrade read whole (a waiting-room page, say). */
    private static final int UPGRADE_ANSWER_BYTES = 1 << 20;
    /** Longest answer line a raw TCP client reads; a longer one closes the connection. */
    private static final int MAX_LINE_BYTES = 1 << 20;

    final ReplayStats stats;
    private final ReplayPlan plan;
    private final ReplayOptions options;
    private final EventLoopGroup group;
    private final List<LoopContext> loops = new ArrayList<>();
    private final ByteBuf bodySource;
    private final ByteBuf body;
    private final ByteBuf messageTextSource;
    private final ByteBuf messageText;
    private final String webSocketBase;
    private final RequestWriter requestWriter;
    private final long requestTimeoutNanos;
    private volatile long startNanos;
    private volatile boolean stopping;

    ReplayEngine(ReplayPlan plan, ReplayOptions options, List<String> classes) throws UnknownHostException {
        this.plan = plan;
        this.options = options;
        this.stats = new ReplayStats(classes.size(), options.ioThreads());
        URI target = options.target();
        int port = target.getPort() == -1 ? 80 : target.getPort();
        this.requestWriter = new RequestWriter(target, plan.clientKey());
        this.requestTimeoutNanos = options.requestTimeout().toNanos();
        // Resolved once: a storm of connects must not become a storm of DNS look-ups.
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(target.getHost()), port);
        // Epoll arms a timerfd at each deadline; NIO's selector rounds deadlines to milliseconds and
        // spins through the last half millisecond before each one, which burns a core at high rates.
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(
                options.ioThreads(), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends Channel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.bodySource = Unpooled.directBuffer(BODY_SLICE_BYTES, BODY_SLICE_BYTES);
        bodySource.writeZero(BODY_SLICE_BYTES);
        this.body = Unpooled.unreleasableBuffer(bodySource.asReadOnly());
        this.messageTextSource = Unpooled.directBuffer(BODY_SLICE_BYTES, BODY_SLICE_BYTES);
        while (messageTextSource.isWritable()) {
            messageTextSource.writeByte('x');
        }
        this.messageText = Unpooled.unreleasableBuffer(messageTextSource.asReadOnly());
        String basePath = target.getRawPath() == null ? "" : target.getRawPath();
        this.webSocketBase = "ws://" + target.getHost() + ":" + port
                + (basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath);
        int perLoop = Math.max(1, options.maxConnections() / options.ioThreads());
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            Bootstrap bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(channelType)
                    .remoteAddress(address)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                            Math.min(Integer.MAX_VALUE, options.requestTimeout().toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ResponseDecoder decoder = new ResponseDecoder();
                            ch.pipeline().addLast("http", decoder);
                            ch.pipeline().addLast("replay", new ResponseHandler(ReplayEngine.this, decoder));
                        }
                    });
            Bootstrap webSocket = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline()
                            .addLast("http", new HttpClientCodec())
                            .addLast("upgrade-answer", new HttpObjectAggregator(UPGRADE_ANSWER_BYTES))
                            .addLast("session", new MessageConnectionHandler());
                }
            });
            Bootstrap tcp = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline()
                            .addLast("lines", new LineBasedFrameDecoder(MAX_LINE_BYTES))
                            .addLast("session", new MessageConnectionHandler());
                }
            });
            loops.add(new LoopContext(loop, loops.size(), bootstrap, webSocket, tcp, perLoop, this));
        }
    }

    /**
     * Starts every client; the first intended time is {@code leadNanos} from now so that setting up
     * many clients does not make the first ones late.
     *
     * @throws IllegalArgumentException if a client key or a request cannot be written as HTTP (nothing
     *     is sent then)
     */
    void start(Map<String, Integer> classIndex, long leadNanos) {
        List<PlannedClient> clients = plan.clients();
        byte[][] identities = new byte[clients.size()][];
        for (int i = 0; i < clients.size(); i++) {
            PlannedClient c = clients.get(i);
            identities[i] = requestWriter.identity(c.key());
            List<PlannedRequest> requests = c.requests();
            for (int r = 0; r < requests.size(); r++) {
                RequestWriter.checkRequest(c.key(), r, requests.get(r));
            }
        }
        GeneratorWarmup.run(body, requestWriter);
        startNanos = System.nanoTime() + leadNanos;
        stats.measureFrom(startNanos + options.warmup().toNanos());
        for (int i = 0; i < clients.size(); i++) {
            PlannedClient c = clients.get(i);
            LoopContext context = loops.get(i % loops.size());
            int cls = classIndex.get(c.className());
            byte[] identity = identities[i];
            context.loop.execute(() -> new ClientRunner(c, cls, identity, context).start());
        }
    }

    /** Stops sending and closes every connection; waits at most a few seconds. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (stopping) {
            return;
        }
        stopping = true;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        bodySource.release();
        messageTextSource.release();
    }

    long startNanos() {
        return startNanos;
    }

    boolean stopping() {
        return stopping;
    }

    OnReject onReject() {
        return plan.onReject();
    }

    ClientKeyPlacement clientKey() {
        return plan.clientKey();
    }

    RequestWriter requestWriter() {
        return requestWriter;
    }

    int maxConnectionsPerClient() {
        return options.maxConnectionsPerClient();
    }

    long requestTimeoutNanos() {
        return requestTimeoutNanos;
    }

    /**
     * A read-only, never-released buffer of {@value #BODY_SLICE_BYTES} ASCII {@code x}: valid text for a
     * WebSocket text frame and free of newlines for a line, so messages are sliced from it.
     */
    ByteBuf messageText() {
        return messageText;
    }

    /** {@code ws://host:port} and the target's base path, which a WebSocket upgrade's path follows. */
    String webSocketBase() {
        return webSocketBase;
    }

    /** A read-only, never-released buffer of zeros that request bodies are sliced from. */
    ByteBuf body() {
        return body;
    }
}
