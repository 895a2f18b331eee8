package dev.readmit.gateway.proxy;

import io.netty.handler.codec.http.HttpObject;

/**
 * What an upstream connection reports to the exchange it serves. Every call comes on the event loop
 * that owns both the client and the upstream connection.
 */
interface UpstreamExchange {

    /** The pool has a connection for this exchange; it is bound to the caller when this returns. */
    void onUpstreamAcquired(UpstreamConnection connection);

    /** No connection could be had; {@code cause} is usually an {@link UpstreamFailure}. */
    void onUpstreamUnavailable(Throwable cause);

    /** A decoded part of the response; the receiver owns it and must forward or release it. */
    void onUpstreamMessage(HttpObject message);

    /** The upstream's read batch ended: flush, and read more if the client can take it. */
    void onUpstreamReadComplete();

    /** The upstream connection can take more of the request body. */
    void onUpstreamWritable();

    /** The upstream connection closed or failed while bound to this exchange. */
    void onUpstreamClosed(Throwable cause);
}
