package dev.readmit.gateway.proxy;

import dev.readmit.gateway.config.UpstreamSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Kept-alive HTTP connections to the upstream, one pool per event loop so that a client connection and
 * the upstream connection serving it share a thread and never hand data across threads (Netty's proxy
 * example, Zuul's origin pools).
 *
 * <p>{@link #acquire} gives the most recently returned live connection (a warm one), else opens a new
 * one while fewer than {@code maxConnections} are open on that loop, else queues the request until a
 * connection comes free or {@code connectTimeout} passes ({@link UpstreamFailure.Kind#BUSY}). A returned
 * connection that stays unused for {@code idleTimeout} is closed.
 *
 * <p>Implementation notes: the idle timeout is lazy, like Netty's {@code IdleStateHandler}. A returned
 * connection only records when it came back; one sweep task per loop, scheduled only while connections
 * sit idle, closes those idle for {@code idleTimeout} (the oldest are at the head of the idle queue, since
 * {@link #acquire} takes the warmest from its tail) and re-schedules itself for the next one. A busy loop
 * thus schedules and cancels nothing per request.
 *
 * <p>Thread safety: the map of loop pools is built at construction and never changes; each loop pool is
 * used only on its own event loop, which is why it has no locks.
 */
public final class UpstreamPool {

    /** The name of the HTTP codec in an upstream connection's pipeline. */
    static final String CODEC = "upstream-codec";

    private final Map<EventExecutor, LoopPool> pools = new HashMap<>();

    /**
     * @param address the upstream's resolved address (resolved once, off the event loops; DNS changes
     *     need a restart)
     * @param socketChannel the client socket channel class of the transport in use
     * @param maxResponseChunkSize the largest piece of response body decoded at once, in bytes
     */
    public UpstreamPool(
            EventLoopGroup group,
            Class<? extends Channel> socketChannel,
            InetSocketAddress address,
            UpstreamSettings settings,
            int maxResponseChunkSize) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("the upstream address must be resolved: " + address);
        }
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, new LoopPool(loop, socketChannel, address, settings, maxResponseChunkSize));
        }
    }

    /**
     * Finds a connection for {@code exchange} on {@code loop} and reports it through {@link
     * UpstreamExchange#onUpstreamAcquired} or {@link UpstreamExchange#onUpstreamUnavailable}, possibly
     * before this method returns. Call on {@code loop}.
     */
    void acquire(EventLoop loop, UpstreamExchange exchange) {
        loopPool(loop).acquire(exchange, false);
    }

    /** Like {@link #acquire}, but never a kept-alive connection: for a retry after a stale one failed. */
    void acquireFresh(EventLoop loop, UpstreamExchange exchange) {
        loopPool(loop).acquire(exchange, true);
    }

    private LoopPool loopPool(EventLoop loop) {
        LoopPool pool = pools.get(loop);
        if (pool == null) {
            throw new IllegalArgumentException("not an event loop of this gateway: " + loop);
        }
        return pool;
    }

    /** Open connections on all loops (for tests and status); a racy sum, exact when the loops are quiet. */
    public int openConnections() {
        int sum = 0;
        for (LoopPool p : pools.values()) {
            sum += p.open;
        }
        return sum;
    }

    /** Connections opened since start on all loops; a racy sum, exact when the loops are quiet. */
    public long connectionsOpened() {
        long sum = 0;
        for (LoopPool p : pools.values()) {
            sum += p.opened;
        }
        return sum;
    }

    static final class LoopPool {
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final InetSocketAddress address;
        private final int maxConnections;
        private final long connectTimeoutNanos;
        private final long idleTimeoutNanos;
        private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        private final Runnable sweep = this::sweepIdle;
        private boolean sweepScheduled;
        // Written on the loop only; read racily by the sums above, hence volatile-free but approximate.
        private int open;
        private long opened;

        LoopPool(
                EventLoop loop,
                Class<? extends Channel> socketChannel,
                InetSocketAddress address,
                UpstreamSettings settings,
                int maxChunkSize) {
            this.loop = loop;
            this.address = address;
            this.maxConnections = settings.maxConnections();
            this.connectTimeoutNanos = settings.connectTimeout().toNanos();
            this.idleTimeoutNanos = settings.idleTimeout().toNanos();
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(65536)
                    .setMaxChunkSize(maxChunkSize);
            this.bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(socketChannel)
                    .resolver(NoopAddressResolverGroup.INSTANCE)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(
                            Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(CODEC, new HttpClientCodec(decoder, false, false))
                                    .addLast("upstream", new UpstreamConnection(LoopPool.this));
                        }
                    });
        }

        void acquire(UpstreamExchange exchange, boolean fresh) {
            UpstreamConnection c;
            while (!fresh && (c = idle.pollLast()) != null) {
                if (c.isActive()) {
                    c.bind(exchange);
                    exchange.onUpstreamAcquired(c);
                    return;
                }
            }
            if (open < maxConnections) {
                connect(exchange);
                return;
            }
            Waiter waiter = new Waiter(exchange);
            waiter.timer = loop.schedule(
                    () -> {
                        if (waiters.remove(waiter)) {
                            waiter.exchange.onUpstreamUnavailable(new UpstreamFailure(
                                    UpstreamFailure.Kind.BUSY, "every upstream connection is busy", null));
                        }
                    },
                    connectTimeoutNanos,
                    TimeUnit.NANOSECONDS);
            waiters.add(waiter);
        }

        private void connect(UpstreamExchange exchange) {
            open++;
            opened++;
            ChannelFuture f = bootstrap.connect(address);
            // Registration runs inline on this loop, so the pipeline is already initialised here.
            UpstreamConnection c = f.channel().pipeline().get(UpstreamConnection.class);
            f.channel().closeFuture().addListener(closed -> onClosed(c));
            f.addListener(done -> {
                if (done.isSuccess()) {
                    c.bind(exchange);
                    exchange.onUpstreamAcquired(c);
                } else {
                    Throwable cause = done.cause();
                    UpstreamFailure.Kind kind = cause instanceof ConnectTimeoutException
                            ? UpstreamFailure.Kind.TIMEOUT
                            : UpstreamFailure.Kind.UNREACHABLE;
                    exchange.onUpstreamUnavailable(
                            new UpstreamFailure(kind, "cannot connect to the upstream " + address, cause));
                }
            });
        }

        void release(UpstreamConnection c) {
            if (!c.isActive()) {
                return;
            }
            Waiter waiter = waiters.poll();
            if (waiter != null) {
                waiter.timer.cancel(false);
                c.bind(waiter.exchange);
                waiter.exchange.onUpstreamAcquired(c);
                return;
            }
            c.idleSinceNanos = System.nanoTime();
            idle.addLast(c);
            if (!sweepScheduled) {
                sweepScheduled = true;
                loop.schedule(sweep, idleTimeoutNanos, TimeUnit.NANOSECONDS);
            }
            // A pending read lets the pool notice when the upstream closes an idle connection.
            c.read();
        }

        /** Closes connections idle for the timeout; re-schedules itself while any connection is idle. */
        private void sweepIdle() {
            sweepScheduled = false;
            long now = System.nanoTime();
            UpstreamConnection oldest;
            while ((oldest = idle.peekFirst()) != null) {
                long left = oldest.idleSinceNanos + idleTimeoutNanos - now;
                if (left > 0) {
                    sweepScheduled = true;
                    loop.schedule(sweep, left, TimeUnit.NANOSECONDS);
                    return;
                }
                idle.pollFirst();
                oldest.close();
            }
        }

        private void onClosed(UpstreamConnection c) {
            open--;
            idle.remove(c);
            if (open < maxConnections) {
                Waiter waiter = waiters.poll();
                if (waiter != null) {
                    waiter.timer.cancel(false);
                    connect(waiter.exchange);
                }
            }
        }
    }

    private static final class Waiter {
        final UpstreamExchange exchange;
        ScheduledFuture<?> timer;

        Waiter(UpstreamExchange exchange) {
            this.exchange = exchange;
        }
    }
}
