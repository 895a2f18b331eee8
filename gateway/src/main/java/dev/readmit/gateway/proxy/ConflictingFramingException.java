package dev.readmit.gateway.proxy;

import io.netty.handler.codec.DecoderException;

/**
 * A request declared both {@code Content-Length} and {@code Transfer-Encoding}. Answered with 400 and
 * the connection closed (RFC 9112 section 6.3).
 */
public final class ConflictingFramingException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public ConflictingFramingException() {
        super("both Content-Length and Transfer-Encoding are present");
    }
}
