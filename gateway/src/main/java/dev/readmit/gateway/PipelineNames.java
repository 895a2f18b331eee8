package dev.readmit.gateway;

/**
 * Names of the stages in a client connection's pipeline, so stages can be found, inserted and tested
 * by name. In order, from the socket inwards:
 *
 * <pre>
 * HTTP mode                               TCP mode
 *   client-timeouts   ClientTimeoutHandler    [admission stages]  hold channelActive until admitted
 *   http-codec        GatewayServerCodec      tcp-proxy           TcpProxyHandler, then relay
 *   http-errors       HttpErrorHandler
 *   [admission stages]                   see {@link AdmissionStages}
 *   proxy             HttpProxyHandler
 * </pre>
 *
 * <p>After a WebSocket upgrade the HTTP stages are removed and {@link #RELAY} stands alone; in TCP mode
 * {@link #TCP_PROXY} replaces itself with {@link #RELAY} once the upstream is connected.
 */
public final class PipelineNames {

    /** Idle-connection and slow-request-head timeouts; sees raw bytes. */
    public static final String CLIENT_TIMEOUTS = "client-timeouts";

    /** The HTTP/1.1 request decoder and response encoder. */
    public static final String HTTP_CODEC = "http-codec";

    /** Answers undecodable requests (400, 414, 431) and marks request/response boundaries. */
    public static final String HTTP_ERRORS = "http-errors";

    /** The reverse proxy: the last HTTP stage. Admission stages go right before it. */
    public static final String PROXY = "proxy";

    /** TCP mode: connects the session to the upstream when the connection becomes active. */
    public static final String TCP_PROXY = "tcp-proxy";

    /** A byte relay to the peer connection (after a WebSocket upgrade, or a TCP session). */
    public static final String RELAY = "relay";

    private PipelineNames() {}
}
