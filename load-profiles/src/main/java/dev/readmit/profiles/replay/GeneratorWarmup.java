package dev.readmit.profiles.replay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Runs the request encoding, response decoding and recording paths a few thousand times on an {@link
 * EmbeddedChannel} before a replay starts, so that class loading and the first JIT compilations do not
 * make the first requests of a storm late. Sends nothing over the network. Stateless.
 */
final class GeneratorWarmup {
    private static final int ROUNDS = 3000;
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nRetry-After: 1\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    private GeneratorWarmup() {}

    static void run(ByteBuf body) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpClientCodec());
        SingleWriterRecorder recorder = new SingleWriterRecorder(ReplayStats.HIGHEST_MICROS, 3);
        try {
            for (int i = 0; i < ROUNDS; i++) {
                DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/warm/" + i);
                request.headers().set(HttpHeaderNames.HOST, "warm").set(HttpHeaderNames.CONTENT_LENGTH, 1024);
                ch.write(request);
                ch.write(new DefaultHttpContent(body.slice(0, 1024)));
                ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                Object out;
                while ((out = ch.readOutbound()) != null) {
                    ReferenceCountUtil.release(out);
                }
                ch.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
                Object in;
                while ((in = ch.readInbound()) != null) {
                    ResponseHandler.retryAfterMillis(
                            in instanceof io.netty.handler.codec.http.HttpResponse r ? r.headers() : request.headers());
                    ReferenceCountUtil.release(in);
                }
                recorder.recordValue(i);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
