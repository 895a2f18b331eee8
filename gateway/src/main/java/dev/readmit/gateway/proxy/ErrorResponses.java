package dev.readmit.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/**
 * The one place where failures become HTTP answers: which status each failure gets, and the small
 * plain-text response that carries it. Every error response closes the connection, because after an
 * error the gateway cannot know where the client's next request starts.
 *
 * <table>
 *   <caption>Failure to status</caption>
 *   <tr><th>failure</th><th>status</th></tr>
 *   <tr><td>request line too long</td><td>414</td></tr>
 *   <tr><td>request headers too large</td><td>431</td></tr>
 *   <tr><td>Content-Length and Transfer-Encoding both present, or any other malformed request</td><td>400</td></tr>
 *   <tr><td>declared body larger than {@code limits.maxContentLength}</td><td>413</td></tr>
 *   <tr><td>an {@code Expect} other than {@code 100-continue}</td><td>417</td></tr>
 *   <tr><td>{@code CONNECT} (a reverse proxy is not a tunnel)</td><td>405</td></tr>
 *   <tr><td>client too slow to send its request head</td><td>408</td></tr>
 *   <tr><td>upstream refused, reset or closed before a response, or answered garbage</td><td>502</td></tr>
 *   <tr><td>upstream busy: every allowed connection in use</td><td>503</td></tr>
 *   <tr><td>upstream connect or response timeout</td><td>504</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorResponses {

    private ErrorResponses() {}

    /** The status for a request the decoder could not parse. */
    public static HttpResponseStatus forDecoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    /** The status for a failure to get a response from the upstream. */
    public static HttpResponseStatus forUpstreamFailure(Throwable cause) {
        if (cause instanceof UpstreamFailure failure) {
            return switch (failure.kind()) {
                case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
                case BUSY -> HttpResponseStatus.SERVICE_UNAVAILABLE;
                case UNREACHABLE -> HttpResponseStatus.BAD_GATEWAY;
            };
        }
        if (cause instanceof ConnectTimeoutException) {
            return HttpResponseStatus.GATEWAY_TIMEOUT;
        }
        return HttpResponseStatus.BAD_GATEWAY;
    }

    /**
     * A complete response with {@code Connection: close} and a one-line plain-text body naming the status.
     * The caller writes it and closes the channel once written.
     */
    public static FullHttpResponse create(ByteBufAllocator alloc, HttpResponseStatus status) {
        byte[] text = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
