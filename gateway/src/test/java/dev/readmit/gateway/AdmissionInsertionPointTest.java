package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A stage added through {@link AdmissionStages} sees each request before the proxy and may answer it. */
@ExtendWith(LeakCheckExtension.class)
final class AdmissionInsertionPointTest {

    /** Answers 503 to {@code /blocked} (and drops that request's parts), passes everything else on. */
    private static final class BlockingStage extends ChannelInboundHandlerAdapter {
        private boolean dropping;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                dropping = request.uri().equals("/blocked");
            }
            if (!dropping) {
                ctx.fireChannelRead(msg);
                return;
            }
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER);
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.RETRY_AFTER, 7);
                ctx.writeAndFlush(r);
                dropping = false;
            }
        }
    }

    private UpstreamStub upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new UpstreamStub();
        gateway = GatewayHarness.start(
                upstream.url(), "", (pipeline, mode) -> pipeline.addLast("admission", new BlockingStage()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void letsTheStageAnswerAndKeepsTheConnectionServingLaterRequests() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            raw.send("GET /blocked HTTP/1.1\r\nHost: a\r\n\r\nGET /seq/7 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response blocked = raw.read();
            assertThat(blocked.status()).isEqualTo(503);
            assertThat(blocked.header("retry-after")).isEqualTo("7");
            RawHttp.Response passed = raw.read();
            assertThat(passed.status()).isEqualTo(200);
            assertThat(passed.bodyText()).isEqualTo("7");
        }
        assertThat(upstream.requests()).isEqualTo(1);
    }
}
