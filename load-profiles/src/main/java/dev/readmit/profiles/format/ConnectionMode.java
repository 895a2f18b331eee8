package dev.readmit.profiles.format;

/**
 * How simulated clients hold connections, which decides whether a storm of returning clients is also a
 * storm of new connections at the gateway.
 */
public enum ConnectionMode {
    /**
     * Each client keeps its own keep-alive connections for its session (a browser, an agent): the
     * realistic storm. A request whose client's connections are all busy opens another one.
     */
    PER_CLIENT,
    /** All clients share one pool of keep-alive connections (a proxy or service mesh in between). */
    SHARED,
    /** A new connection for every request, closed after the response. */
    PER_REQUEST
}
