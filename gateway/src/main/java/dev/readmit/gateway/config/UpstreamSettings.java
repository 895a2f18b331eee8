package dev.readmit.gateway.config;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how the gateway connects to the service behind it.
 *
 * @param url {@code http://host[:port]} in HTTP mode, {@code tcp://host:port} in TCP mode; a path is not
 *     allowed (requests keep their own path)
 * @param hostHeader whether the client's {@code Host} is preserved or rewritten to the URL's authority
 * @param connectTimeout the longest wait for a TCP connection to the upstream; exceeded gives 504
 * @param responseTimeout the longest wait, after the request is sent, for the response head; exceeded
 *     gives 504
 * @param readTimeout once a response head has arrived, the longest wait for the next bytes of its body
 *     while the client takes what it is sent; exceeded: both connections close and the client sees the
 *     response incomplete, as when the upstream resets mid-response
 * @param idleTimeout how long an unused kept-alive upstream connection stays in the pool
 * @param maxConnections the most upstream connections open at once per worker thread; a request that
 *     finds them all busy waits for one up to {@code connectTimeout}, then gets 503
 */
public record UpstreamSettings(
        URI url,
        HostHeaderPolicy hostHeader,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration readTimeout,
        Duration idleTimeout,
        int maxConnections) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    /** The upstream host, as written in the URL. */
    public String host() {
        return url.getHost();
    }

    /** The upstream port: the URL's, else 80 for http. */
    public int port() {
        return url.getPort() >= 0 ? url.getPort() : 80;
    }

    /** The authority sent as {@code Host} when rewriting: host, and the port when it is not 80. */
    public String authority() {
        String host = url.getHost();
        return url.getPort() >= 0 && url.getPort() != 80 ? host + ":" + url.getPort() : host;
    }
}
