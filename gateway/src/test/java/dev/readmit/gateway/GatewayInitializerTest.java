package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.proxy.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class GatewayInitializerTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress upstream = new InetSocketAddress("127.0.0.1", 9);

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private List<String> stagesFor(String yaml, AdmissionStages admission) throws Exception {
        GatewayConfig config = GatewayConfigReader.read(yaml, "test");
        UpstreamPool pool = new UpstreamPool(group, NioSocketChannel.class, upstream, config.upstream(), 8192);
        GatewayInitializer initializer =
                new GatewayInitializer(config, pool, upstream, NioSocketChannel.class, admission, null);
        List<String> names = new ArrayList<>();
        // Names are read right after assembly, before channelActive sets the TCP proxy connecting.
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(initializer);
                names.addAll(c.pipeline().names());
            }
        });
        ch.finishAndReleaseAll();
        // Generated names (with '#') belong to the test's own initializers and the pipeline's tail.
        return names.stream().filter(n -> !n.contains("#")).collect(Collectors.toList());
    }

    private static final AdmissionStages TWO_STAGES =
            (pipeline, mode) -> pipeline.addLast("client-key", new ChannelInboundHandlerAdapter())
                    .addLast("admission", new ChannelInboundHandlerAdapter());

    @Test
    void assemblesTheHttpStagesInOrderWithAdmissionOff() throws Exception {
        assertThat(stagesFor("upstream:\n  url: http://127.0.0.1:9\n", AdmissionStages.NONE))
                .containsExactly(
                        PipelineNames.CLIENT_TIMEOUTS,
                        PipelineNames.HTTP_CODEC,
                        PipelineNames.HTTP_ERRORS,
                        PipelineNames.PROXY);
    }

    @Test
    void insertsAdmissionStagesBetweenTheErrorStageAndTheProxy() throws Exception {
        assertThat(stagesFor("upstream:\n  url: http://127.0.0.1:9\n", TWO_STAGES))
                .containsExactly(
                        PipelineNames.CLIENT_TIMEOUTS,
                        PipelineNames.HTTP_CODEC,
                        PipelineNames.HTTP_ERRORS,
                        "client-key",
                        "admission",
                        PipelineNames.PROXY);
    }

    @Test
    void putsAdmissionBeforeTheTcpProxyInTcpMode() throws Exception {
        String tcp = "mode: tcp\nupstream:\n  url: tcp://127.0.0.1:9\n";
        assertThat(stagesFor(tcp, AdmissionStages.NONE)).containsExactly(PipelineNames.TCP_PROXY);
        assertThat(stagesFor(tcp, TWO_STAGES)).containsExactly("client-key", "admission", PipelineNames.TCP_PROXY);
    }
}
