package dev.readmit.gateway.config;

import java.net.InetSocketAddress;

/**
 * A socket address as written in the configuration, {@code HOST:PORT}, e.g. {@code 0.0.0.0:8080} or
 * {@code [::1]:8080}. The host is kept as written and resolved only when the socket is bound.
 *
 * @param host a host name or literal address, never empty; IPv6 literals without brackets
 * @param port 0 (an ephemeral port, for tests) to 65535
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}; IPv6 literals in brackets.
     *
     * @throws IllegalArgumentException with a message saying what is allowed
     */
    public static HostPort parse(String text) {
        String allowed = "expected HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got '" + text + "'";
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(allowed);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException(allowed + " (put IPv6 addresses in brackets)");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(allowed, e);
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException(allowed + " (port 0 to 65535)");
        }
        return new HostPort(host, port);
    }

    /** An unresolved socket address; resolution happens at bind or connect time, off the event loop. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
