package dev.readmit.profiles.format;

import java.util.Locale;

/**
 * What a long-lived session speaks on its connection. A request loop is always {@link #HTTP}.
 *
 * <p>{@link #WEBSOCKET} and {@link #TCP} sessions hold one connection per client: the connection is what
 * the gateway admits, so a rejection is an answer to the upgrade ({@code 503}/{@code 429}) or, for raw
 * TCP, a close before the upstream's greeting line.
 */
public enum Transport {
    /** Every message is an HTTP/1.1 request on the client's keep-alive connections. */
    HTTP,
    /**
     * An HTTP upgrade to the session's first path, then every request of the session (the {@code first}
     * steps too) is a text frame of its size; the upstream answers each with a frame.
     */
    WEBSOCKET,
    /**
     * A raw TCP connection: admitted when the upstream's greeting line arrives; every request is a
     * newline-terminated line of its size, answered by one line.
     */
    TCP;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The profile format's spelling: {@code http}, {@code websocket}, {@code tcp}. */
    public String label() {
        return label;
    }
}
