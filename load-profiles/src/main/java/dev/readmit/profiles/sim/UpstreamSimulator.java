package dev.readmit.profiles.sim;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated HTTP/1.1 service of fixed capacity that degrades the way real ones do when overloaded:
 * requests queue, latency climbs with the queue, late requests get {@code 503}/{@code 504}, a full queue
 * answers {@code 503} at once, and optionally useful throughput collapses. The model is described on
 * {@link SimConfig}; its capacity is {@code workers / mean service time} requests per second.
 *
 * <p>Every path answers through the model (any method; request bodies are streamed, counted and dropped, so
 * large uploads cost no memory), except {@code GET /__sim/stats} (the {@link SimStats} as JSON) and
 * {@code POST /__sim/reset-peaks} ({@link #resetPeaks()}), which answer at once. A request enters the model
 * when its body has been fully received. Answers carry {@code x-sim-queue-ms} and {@code x-sim-service-ms};
 * the simulator's {@code 503}s carry no {@code Retry-After}, so a load generator counts them as errors, not
 * as a waiting room.
 *
 * <p>Long-lived connections: a {@code GET} with {@code Upgrade: websocket} on any path is upgraded, and each
 * text or binary message then goes through the same model and is answered with a text frame {@code
 * "<status> <reason>"} (e.g. {@code "200 served"}, {@code "503 overloaded: queue full"}). With {@link
 * SimConfig#tcpListen()} set, a raw TCP line service listens there too: a greeting line on connect, then
 * one answer line of the same form per line received. See {@link SimMessageHandler}.
 *
 * <p>Thread safe. {@link #close()} stops it; requests still open are dropped with their connections.
 */
public final class UpstreamSimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSimulator.class);
    /** Longest line the TCP line service reads, bytes; a longer one closes the connection. */
    private static final int MAX_LINE_BYTES = 16 << 20;

    private final SimConfig config;
    private final SimTimer timer;
    private final CapacityModel model;
    private final LongAdder bodyBytes = new LongAdder();
    private final EventLoopGroup group;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Channel serverChannel;
    private Channel tcpChannel;

    private UpstreamSimulator(SimConfig config, SimTimer timer) {
        this.config = config;
        this.timer = timer;
        this.model = new CapacityModel(config, timer);
        IoHandlerFactory ioHandler = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(
                config.ioThreads(), new DefaultThreadFactory("readmit-sim-io", true), ioHandler);
    }

    /**
     * Starts a simulator and returns once it listens.
     *
     * @throws IllegalStateException naming the address if it cannot listen there
     */
    public static UpstreamSimulator start(SimConfig config) {
        return start(config, new SystemSimTimer("readmit-sim-model"));
    }

    /** Starts on the given timer; tests pass a timer whose time they move. */
    static UpstreamSimulator start(SimConfig config, SimTimer timer) {
        UpstreamSimulator simulator = new UpstreamSimulator(config, timer);
        try {
            simulator.bind();
        } catch (RuntimeException e) {
            simulator.close();
            throw e;
        }
        log.debug("simulated upstream listening on {}: {}", simulator.address(), config.describe());
        return simulator;
    }

    private void bind() {
        Class<? extends ServerChannel> channelType =
                Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                // A storm of reconnecting clients overflows the accept backlog first; keep it deep.
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http-codec", new HttpServerCodec())
                                .addLast("expect-continue", new HttpServerExpectContinueHandler())
                                .addLast(
                                        "simulator",
                                        new SimRequestHandler(UpstreamSimulator.this, timer, model, bodyBytes));
                    }
                });
        serverChannel = bind(bootstrap, config.listen());
        if (config.tcpListen() != null) {
            ServerBootstrap lines = bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                            .addLast("lines", new LineBasedFrameDecoder(MAX_LINE_BYTES))
                            .addLast("simulator", SimMessageHandler.lines(timer, model, bodyBytes));
                }
            });
            tcpChannel = bind(lines, config.tcpListen());
        }
    }

    private static Channel bind(ServerBootstrap bootstrap, InetSocketAddress listen) {
        try {
            return bootstrap.bind(listen).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + listen, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The configuration it runs with. */
    public SimConfig config() {
        return config;
    }

    /** The address it listens on, with the actual port. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The port it listens on (the chosen one if the config said 0). */
    public int port() {
        return address().getPort();
    }

    /** The address of the raw TCP line service, with the actual port, or null when it is off. */
    public InetSocketAddress tcpAddress() {
        return tcpChannel == null ? null : (InetSocketAddress) tcpChannel.localAddress();
    }

    /**
     * The port of the raw TCP line service.
     *
     * @throws IllegalStateException if it is off ({@link SimConfig#tcpListen()} is null)
     */
    public int tcpPort() {
        if (tcpChannel == null) {
            throw new IllegalStateException("the TCP line service is off (SimConfig.tcpListen is null)");
        }
        return tcpAddress().getPort();
    }

    /** Its counters now. Any thread; see {@link SimStats} on consistency. */
    public SimStats stats() {
        return model.stats(bodyBytes.sum());
    }

    /**
     * Sets the peaks ({@code maxInFlight}, {@code maxQueueLength}, {@code maxOpen}) to their current values,
     * so that one run's peaks can be read apart from an earlier run's. Waits until done.
     */
    public void resetPeaks() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        timer.execute(() -> {
            model.resetPeaks();
            done.complete(null);
        });
        done.join();
    }

    /** Stops listening, drops open requests and stops its threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The model first, so that no answer is handed to an event loop that is shutting down.
        timer.close();
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        if (tcpChannel != null) {
            tcpChannel.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
