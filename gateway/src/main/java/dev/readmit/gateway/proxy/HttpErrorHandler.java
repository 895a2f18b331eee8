package dev.readmit.gateway.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands right after the HTTP codec and answers what the stages behind it must never see: requests the
 * decoder marked failed get their status from {@link ErrorResponses} (400, 414, 431) and the connection
 * is closed; when the failure is in the body of a request already being handled, the connection is
 * closed without an answer, since a response may already be on its way.
 *
 * <p>It also marks the request/response boundaries for {@link ClientTimeoutHandler}: a decoded request
 * head starts an exchange, the last part of a final (non-1xx) response ends it.
 *
 * <p>Exceptions that reach it close the connection: an I/O error is the client going away (logged at
 * DEBUG), anything else is a bug and is logged at WARN.
 *
 * <p>One instance per connection, used on its event loop only.
 */
public final class HttpErrorHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HttpErrorHandler.class);

    private final ClientTimeoutHandler timeouts;
    private int openExchanges;
    private boolean informational;
    private boolean failed;

    /** @param timeouts told where exchanges start and end; null when there are no client timeouts */
    public HttpErrorHandler(ClientTimeoutHandler timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject http) {
            DecoderResult result = http.decoderResult();
            if (result.isFailure()) {
                ReferenceCountUtil.release(msg);
                failed = true;
                if (openExchanges == 0) {
                    ctx.writeAndFlush(ErrorResponses.create(
                                    ctx.alloc(), ErrorResponses.forDecoderFailure(result.cause())))
                            .addListener(LingeringClose.AFTER_RESPONSE);
                } else {
                    ctx.close();
                }
                return;
            }
            if (msg instanceof HttpRequest) {
                openExchanges++;
                if (timeouts != null) {
                    timeouts.requestStarted();
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        }
        boolean finished = msg instanceof LastHttpContent && !informational;
        ctx.write(msg, promise);
        if (finished && openExchanges > 0) {
            openExchanges--;
            if (timeouts != null) {
                timeouts.responseFinished();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logClientFailure(log, ctx, cause);
        ctx.close();
    }

    /**
     * Logs why a client connection ends on an error: a network error (reset, broken pipe) at DEBUG, as
     * clients go away all the time; anything else, a bug or a resource problem, at WARN with its trace.
     */
    static void logClientFailure(Logger log, ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn(
                    "closing client connection {} after an unexpected error",
                    ctx.channel().remoteAddress(),
                    cause);
        }
    }
}
