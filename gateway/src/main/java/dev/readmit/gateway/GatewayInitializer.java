package dev.readmit.gateway;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.ProxyMode;
import dev.readmit.gateway.proxy.ClientTimeoutHandler;
import dev.readmit.gateway.proxy.GatewayServerCodec;
import dev.readmit.gateway.proxy.HttpErrorHandler;
import dev.readmit.gateway.proxy.HttpProxyHandler;
import dev.readmit.gateway.proxy.TcpProxyHandler;
import dev.readmit.gateway.proxy.UpstreamObserver;
import dev.readmit.gateway.proxy.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Assembles every client connection's pipeline, in named stages (see {@link PipelineNames} for the
 * order): {@link #addTimeouts}, {@link #addHttpCodec}, {@link #addErrors}, {@link #addAdmission},
 * {@link #addProxy} in HTTP mode; {@link #addAdmission}, {@link #addTcpProxy} in TCP mode.
 *
 * <p>Shared by all connections ({@code @Sharable} through {@link ChannelInitializer}); it holds only
 * immutable settings and thread-safe collaborators.
 */
public final class GatewayInitializer extends ChannelInitializer<Channel> {

    private final GatewayConfig config;
    private final UpstreamPool pool;
    private final InetSocketAddress upstreamAddress;
    private final Class<? extends Channel> socketChannel;
    private final AdmissionStages admission;
    private final ChannelGroup connections;
    private final UpstreamObserver observer;
    private final NanoClock clock;

    /**
     * @param pool upstream connections (HTTP mode); may be null in TCP mode
     * @param upstreamAddress the resolved upstream address (TCP mode)
     * @param socketChannel the transport's client socket class (TCP mode)
     * @param admission the admission stages, {@link AdmissionStages#NONE} when admission is off
     * @param connections every accepted connection is added here, for draining on shutdown; may be null
     */
    public GatewayInitializer(
            GatewayConfig config,
            UpstreamPool pool,
            InetSocketAddress upstreamAddress,
            Class<? extends Channel> socketChannel,
            AdmissionStages admission,
            ChannelGroup connections) {
        this(
                config,
                pool,
                upstreamAddress,
                socketChannel,
                admission,
                connections,
                UpstreamObserver.NONE,
                NanoClock.system());
    }

    /**
     * @param observer told about every request sent upstream (HTTP mode), {@link UpstreamObserver#NONE} for none
     * @param clock the time source for the observer's latencies
     */
    public GatewayInitializer(
            GatewayConfig config,
            UpstreamPool pool,
            InetSocketAddress upstreamAddress,
            Class<? extends Channel> socketChannel,
            AdmissionStages admission,
            ChannelGroup connections,
            UpstreamObserver observer,
            NanoClock clock) {
        this.observer = Objects.requireNonNull(observer, "observer (use UpstreamObserver.NONE)");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.pool = pool;
        this.upstreamAddress = upstreamAddress;
        this.socketChannel = socketChannel;
        this.admission = Objects.requireNonNull(admission, "admission (use AdmissionStages.NONE)");
        this.connections = connections;
        if (config.mode() == ProxyMode.HTTP && pool == null) {
            throw new IllegalArgumentException("HTTP mode needs an upstream pool");
        }
    }

    @Override
    protected void initChannel(Channel ch) {
        if (connections != null) {
            connections.add(ch);
        }
        ChannelPipeline p = ch.pipeline();
        if (config.mode() == ProxyMode.TCP) {
            addAdmission(p);
            addTcpProxy(p);
            return;
        }
        ClientTimeoutHandler timeouts = addTimeouts(p);
        addHttpCodec(p);
        addErrors(p, timeouts);
        addAdmission(p);
        addProxy(p);
    }

    private ClientTimeoutHandler addTimeouts(ChannelPipeline p) {
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(config.limits());
        p.addLast(PipelineNames.CLIENT_TIMEOUTS, timeouts);
        return timeouts;
    }

    private void addHttpCodec(ChannelPipeline p) {
        p.addLast(PipelineNames.HTTP_CODEC, new GatewayServerCodec(config.limits()));
    }

    private void addErrors(ChannelPipeline p, ClientTimeoutHandler timeouts) {
        p.addLast(PipelineNames.HTTP_ERRORS, new HttpErrorHandler(timeouts));
    }

    private void addAdmission(ChannelPipeline p) {
        admission.addStages(p, config.mode());
    }

    private void addProxy(ChannelPipeline p) {
        p.addLast(PipelineNames.PROXY, new HttpProxyHandler(pool, config.upstream(), config.limits(), observer, clock));
    }

    private void addTcpProxy(ChannelPipeline p) {
        p.addLast(PipelineNames.TCP_PROXY, new TcpProxyHandler(upstreamAddress, socketChannel, config.upstream()));
    }
}
