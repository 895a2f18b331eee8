package dev.readmit.gateway.proxy;

import dev.readmit.gateway.PipelineNames;
import dev.readmit.gateway.config.UpstreamSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP mode: when {@code channelActive} reaches it, opens a connection to the upstream on the client's
 * event loop and, once connected, replaces itself with a {@link RelayHandler} pair. A session is one
 * connection; nothing is pooled.
 *
 * <p>Admission at connect time: a stage placed before this handler may hold {@code channelActive} back
 * until the connection is admitted (or close the channel); the upstream connection is made only when
 * {@code channelActive} arrives here. Nothing is read from the client before that.
 *
 * <p>One instance per client connection, used on its event loop.
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TcpProxyHandler.class);

    private final InetSocketAddress upstream;
    private final Class<? extends Channel> socketChannel;
    private final int connectTimeoutMillis;

    /**
     * @param upstream the resolved upstream address
     * @param socketChannel the client socket channel class of the transport in use
     */
    public TcpProxyHandler(
            InetSocketAddress upstream, Class<? extends Channel> socketChannel, UpstreamSettings settings) {
        this.upstream = upstream;
        this.socketChannel = socketChannel;
        this.connectTimeoutMillis =
                (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        ChannelFuture f = new Bootstrap()
                .group(client.eventLoop())
                .channel(socketChannel)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new RelayHandler(client))
                .connect(upstream);
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (client.isActive()) {
                    client.pipeline().replace(this, PipelineNames.RELAY, new RelayHandler(f.channel()));
                } else {
                    f.channel().close();
                }
            } else {
                log.debug("TCP session from {}: cannot connect to {}", client.remoteAddress(), upstream, done.cause());
                client.close();
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Nothing is read before the relay is in place; anything arriving here is released, not leaked.
        ReferenceCountUtil.release(msg);
    }
}
