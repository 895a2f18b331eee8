package dev.readmit.gateway.config;

/** How the gateway treats a client connection. */
public enum ProxyMode {
    /** HTTP/1.1 reverse proxy: each request is parsed, admitted and proxied (WebSocket upgrades relayed). */
    HTTP,
    /** A plain byte relay per connection, for long-lived protocols such as IRC; a connection is a session. */
    TCP
}
