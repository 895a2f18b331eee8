package dev.readmit.gateway.proxy;

/**
 * A user event fired into every client connection's pipeline when the gateway shuts down: finish what
 * is in flight, accept nothing more on this connection, close. An idle connection closes at once; a busy
 * one answers its current request with {@code Connection: close} and then closes. Byte relays (WebSocket,
 * TCP) ignore it and are closed at the drain deadline.
 */
public enum DrainSignal {
    INSTANCE
}
