package dev.readmit.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.config.LimitSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class HttpErrorHandlerTest {

    private static final LimitSettings LIMITS = new LimitSettings(
            64,
            1024,
            8192,
            Long.MAX_VALUE,
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60));

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new GatewayServerCodec(LIMITS), new HttpErrorHandler(null));
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "request line too long | GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\\r\\n\\r\\n"
                        + " | 414 Request-URI Too Long",
                "headers too large | GET / HTTP/1.1\\r\\nX-A: {1100}\\r\\n\\r\\n | 431 Request Header Fields Too Large",
                "Content-Length with Transfer-Encoding | POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\n"
                        + "Transfer-Encoding: chunked\\r\\n\\r\\n | 400 Bad Request",
                "Transfer-Encoding with Content-Length | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n"
                        + "Content-Length: 3\\r\\n\\r\\n | 400 Bad Request",
                "not HTTP | \\u0001\\u0002 garbage\\r\\n\\r\\n | 400 Bad Request",
                "bad version | GET / HTTP/9\\r\\n\\r\\n | 400 Bad Request",
                "space before colon | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n | 400 Bad Request",
            })
    void answersAnUndecodableRequestAndCloses(String kind, String request, String statusLine) {
        EmbeddedChannel ch = channel();
        String wire = request.replace("\\r\\n", "\r\n")
                .replace("\\u0001", "\u0001")
                .replace("\\u0002", "\u0002")
                .replace("{1100}", "x".repeat(1100));
        ch.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));
        Object passed = ch.readInbound();
        ReferenceCountUtil.release(passed);
        assertThat(passed).as("nothing reaches the stages behind").isNull();
        String response = written(ch);
        assertThat(response).startsWith("HTTP/1.1 " + statusLine + "\r\n").contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void passesAValidRequestOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        HttpRequest request = ch.readInbound();
        assertThat(request.uri()).isEqualTo("/a");
        HttpContent last = ch.readInbound();
        last.release();
        assertThat(written(ch)).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void closesWithoutAnAnswerWhenTheBodyOfAStartedRequestIsBad() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer(
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", StandardCharsets.US_ASCII));
        HttpRequest request = ch.readInbound();
        ReferenceCountUtil.release(request);
        assertThat(written(ch))
                .as("the request was already passed on; its answer may be under way")
                .isEmpty();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }
}
