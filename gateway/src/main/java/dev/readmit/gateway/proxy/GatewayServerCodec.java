package dev.readmit.gateway.proxy;

import dev.readmit.gateway.config.LimitSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client-side HTTP/1.1 codec: Netty's request decoder and response encoder, with two differences
 * from {@code HttpServerCodec} that a proxy needs.
 *
 * <ul>
 *   <li>A request with both {@code Content-Length} and {@code Transfer-Encoding} is refused (the decoder
 *       passes on a message whose {@code decoderResult()} failed with {@link ConflictingFramingException}),
 *       where Netty would drop {@code Content-Length} and go on: a proxy that disagrees with its upstream
 *       on where a request ends is open to request smuggling.
 *   <li>Informational responses ({@code 100 Continue}) do not consume the request method, so the final
 *       response to a {@code HEAD} is still encoded without a body.
 * </ul>
 *
 * <p>One instance per connection; used only on its event loop, so the method queue needs no locking.
 */
public final class GatewayServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    public GatewayServerCodec(LimitSettings limits) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(limits.maxChunkSize());
        init(new RequestDecoder(config), new ResponseEncoder());
    }

    private final class RequestDecoder extends HttpRequestDecoder {
        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    methods.add(request.method());
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new ConflictingFramingException();
        }
    }

    private final class ResponseEncoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && response.status().code() != 101) {
                return true;
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse response, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty
                    && HttpMethod.CONNECT.equals(method)
                    && response.status().codeClass() == HttpStatusClass.SUCCESS) {
                response.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(response, isAlwaysEmpty);
        }
    }
}
