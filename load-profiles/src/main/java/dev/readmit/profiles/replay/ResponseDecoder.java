package dev.readmit.profiles.replay;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's response decoder, told by the {@link ResponseHandler} of its connection whether the answer
 * it waits for has a body at all: the answer to {@code HEAD} (or a {@code CONNECT}) never has one,
 * whatever its {@code Content-Length} says. Requests are written pre-encoded (see {@link
 * RequestWriter}), so the decoder cannot learn the method from an encoder as {@code HttpClientCodec}'s
 * does. One per connection, confined to its event loop: the flag needs no {@code volatile}.
 */
final class ResponseDecoder extends HttpResponseDecoder {
    private boolean bodiless;

    ResponseDecoder() {
        // Header names and values are only read (status, Retry-After, the ticket, cookies), never
        // forwarded, so validating every one of them would cost each answer for nothing.
        super(new HttpDecoderConfig().setValidateHeaders(false));
    }

    /** Called before each request is written. */
    void expect(String method) {
        bodiless = method.equals("HEAD") || method.equals("CONNECT");
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return bodiless || super.isContentAlwaysEmpty(msg);
    }
}
