package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ResponseDecoderTest {
    private static final String HEAD_ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";

    @Test
    void endsTheAnswerToAHeadAtItsHeadersWhateverItsContentLength() {
        ResponseDecoder decoder = new ResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        decoder.expect("HEAD");

        ch.writeInbound(Unpooled.copiedBuffer(HEAD_ANSWER + HEAD_ANSWER, StandardCharsets.US_ASCII));

        Object first = ch.readInbound();
        Object second = ch.readInbound();
        try {
            assertThat(first).isInstanceOf(HttpResponse.class);
            assertThat(second).isInstanceOf(LastHttpContent.class);
            assertThat(((LastHttpContent) second).content().readableBytes()).isZero();
        } finally {
            ReferenceCountUtil.release(first);
            ReferenceCountUtil.release(second);
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void readsTheBodyOfAnAnswerToAGet() {
        ResponseDecoder decoder = new ResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        decoder.expect("GET");

        ch.writeInbound(Unpooled.copiedBuffer(HEAD_ANSWER + "0123456789", StandardCharsets.US_ASCII));

        Object first = ch.readInbound();
        Object second = ch.readInbound();
        try {
            assertThat(second).isInstanceOf(LastHttpContent.class);
            assertThat(((LastHttpContent) second).content().readableBytes()).isEqualTo(10);
        } finally {
            ReferenceCountUtil.release(first);
            ReferenceCountUtil.release(second);
            ch.finishAndReleaseAll();
        }
    }
}
