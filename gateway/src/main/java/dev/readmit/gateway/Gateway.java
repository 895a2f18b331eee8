package dev.readmit.gateway;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.ProxyMode;
import dev.readmit.gateway.proxy.DrainSignal;
import dev.readmit.gateway.proxy.UpstreamObserver;
import dev.readmit.gateway.proxy.UpstreamPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one listening socket, {@code workerThreads} event loops that each own their client
 * connections and upstream connections, and an orderly shutdown.
 *
 * <p>{@link #start} binds and returns once the gateway accepts connections. {@link #shutdown} stops
 * accepting, lets in-flight requests finish up to the configured drain timeout, closes what is left and
 * stops the event loops; it blocks until then and is safe to call more than once and from any thread
 * (the command line calls it from a shutdown hook on SIGTERM).
 *
 * <p>Thread-safe.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final UpstreamPool pool;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private Gateway(
            GatewayConfig config,
            EventLoopGroup group,
            Channel serverChannel,
            ChannelGroup connections,
            UpstreamPool pool) {
        this.config = config;
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.pool = pool;
    }

    /** Starts with the best transport for this machine (epoll, else NIO). */
    public static Gateway start(GatewayConfig config, AdmissionStages admission) throws IOException {
        return start(config, admission, Transport.best());
    }

    /**
     * Resolves the upstream (once, here, off the event loops), binds the listening socket and returns
     * once connections are accepted.
     *
     * @param admission the admission stages, or {@link AdmissionStages#NONE} for admission off
     * @throws IOException when the upstream host cannot be resolved or the address cannot be bound; no
     *     thread is left running
     */
    public static Gateway start(GatewayConfig config, AdmissionStages admission, Transport transport)
            throws IOException {
        return start(config, admission, UpstreamObserver.NONE, NanoClock.system(), transport);
    }

    /**
     * Starts with an observer of every request sent upstream (the feed for upstream health).
     *
     * @param observer see {@link UpstreamObserver}; {@link UpstreamObserver#NONE} for none
     * @param clock the time source for the observer's latencies
     */
    public static Gateway start(
            GatewayConfig config,
            AdmissionStages admission,
            UpstreamObserver observer,
            NanoClock clock,
            Transport transport)
            throws IOException {
        InetSocketAddress upstream = new InetSocketAddress(
                config.upstream().host(), config.upstream().port());
        if (upstream.isUnresolved()) {
            throw new IOException(
                    "cannot resolve the upstream host '" + config.upstream().host() + "'");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                config.workerThreads(), new DefaultThreadFactory("readmit-io"), transport.ioHandlerFactory());
        ChannelGroup connections = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        UpstreamPool pool = config.mode() == ProxyMode.HTTP
                ? new UpstreamPool(
                        group,
                        transport.socketChannel(),
                        upstream,
                        config.upstream(),
                        config.limits().maxChunkSize())
                : null;
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new GatewayInitializer(
                        config, pool, upstream, transport.socketChannel(), admission, connections, observer, clock));
        ChannelFuture bound = b.bind(config.listen().toSocketAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException(
                    "cannot listen on " + config.listen() + ": " + bound.cause().getMessage(), bound.cause());
        }
        Gateway gateway = new Gateway(config, group, bound.channel(), connections, pool);
        log.info(
                "listening on {} ({} mode, {} transport, {} worker threads); upstream {} ({})",
                gateway.localAddress(),
                config.mode().name().toLowerCase(java.util.Locale.ROOT),
                transport.name(),
                config.workerThreads(),
                config.upstream().url(),
                upstream.getAddress().getHostAddress());
        return gateway;
    }

    /** The bound address; with port 0 in the config this is where the ephemeral port shows. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The upstream connection pool; null in TCP mode. */
    public UpstreamPool upstreamPool() {
        return pool;
    }

    /** True once {@link #shutdown} has begun: the gateway no longer accepts and is draining. */
    public boolean draining() {
        return stopping.get();
    }

    /** Client connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Stops gracefully: no new connections; idle connections close at once; busy ones finish their
     * current response (sent with {@code Connection: close}) and close; whatever is still open at the
     * drain timeout (slow responses, WebSocket and TCP sessions) is closed then. Blocks until done.
     */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            awaitTermination();
            return;
        }
        long startNanos = System.nanoTime();
        // The open connections hear of the drain before the listening socket is gone, so that a
        // response that starts once new connections are refused says "Connection: close"; those
        // accepted in the meantime hear it in the second pass (the signal is idempotent).
        ChannelFuture closing = serverChannel.close();
        signalDrain();
        closing.awaitUninterruptibly();
        signalDrain();
        Duration deadline = config.drainTimeout();
        log.info(
                "shutting down: no longer accepting; draining {} connections for up to {} ms",
                connections.size(),
                deadline.toMillis());
        boolean drained = connections.newCloseFuture().awaitUninterruptibly(deadline.toMillis());
        int forced = 0;
        if (!drained) {
            forced = connections.size();
            connections.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        log.info(
                "stopped after {} ms; {} connections were still open at the deadline and were closed",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                forced);
        terminated.countDown();
    }

    private void signalDrain() {
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(DrainSignal.INSTANCE);
        }
    }

    /** Waits until {@link #shutdown} has finished. */
    public void awaitTermination() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #shutdown}. */
    @Override
    public void close() {
        shutdown();
    }
}
