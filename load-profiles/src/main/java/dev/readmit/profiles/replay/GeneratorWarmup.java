package dev.readmit.profiles.replay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Runs the request writing, response decoding and recording paths a few thousand times on an {@link
 * EmbeddedChannel} before a replay starts, so that class loading and the first JIT compilations do not
 * make the first requests of a storm late. Sends nothing over the network. Stateless.
 */
final class GeneratorWarmup {
    private static final int ROUNDS = 3000;
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nRetry-After: 1\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    private GeneratorWarmup() {}

    static void run(ByteBuf body, RequestWriter writer) {
        ResponseDecoder decoder = new ResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        SingleWriterRecorder recorder = new SingleWriterRecorder(ReplayStats.HIGHEST_MICROS, 3);
        byte[] identity = writer.identity("warm");
        try {
            for (int i = 0; i < ROUNDS; i++) {
                PlannedRequest r = new PlannedRequest(0, i % 2 == 0 ? "GET" : "PUT", "/warm", i % 2 == 0 ? 0 : 1024);
                decoder.expect(r.method());
                ByteBuf head = ch.alloc().ioBuffer(256);
                writer.writeHead(head, r, identity, null, Map.of(), false);
                ch.write(head);
                if (r.bodyBytes() > 0) {
                    ch.write(body.slice(0, (int) r.bodyBytes()));
                }
                ch.flush();
                Object out;
                while ((out = ch.readOutbound()) != null) {
                    ReferenceCountUtil.release(out);
                }
                ch.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
                Object in;
                while ((in = ch.readInbound()) != null) {
                    if (in instanceof HttpResponse response) {
                        ResponseHandler.retryAfterMillis(response.headers());
                    }
                    ReferenceCountUtil.release(in);
                }
                recorder.recordValue(i);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
