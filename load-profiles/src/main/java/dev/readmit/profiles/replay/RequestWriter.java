package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ClientKeyPlacement;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the head of a replayed HTTP/1.1 request (request line and headers) straight into a buffer.
 *
 * <p>The parts that never change are encoded once: the protocol and host, per run, and each client's
 * key (header line, cookie pair or query parameter), per client; a request then costs copies of those
 * bytes and of its method and path, without building a request object and a header map and encoding
 * them again, as Netty's {@code HttpRequestEncoder} would for every request. Header names are written
 * in lower case as Netty writes its own constants; values are ASCII, as Netty's encoder writes them.
 *
 * <p>Bad input is refused before the run ({@link #identity}, {@link #checkRequest}): a key or path
 * that would split the request line or a header is an {@link IllegalArgumentException} naming it.
 *
 * <p>Immutable and thread safe.
 */
final class RequestWriter {
    private static final byte[] HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COOKIE = "cookie: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TICKET = (ResponseHandler.TICKET_HEADER + ": ").getBytes(StandardCharsets.US_ASCII);

    private final byte[] basePath;
    private final byte[] hostLine;
    private final ClientKeyPlacement key;

    RequestWriter(URI target, ClientKeyPlacement key) {
        int port = target.getPort();
        String host = target.getHost() + (port == -1 ? "" : ":" + port);
        this.hostLine = ("host: " + host + "\r\n").getBytes(StandardCharsets.US_ASCII);
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        this.basePath =
                (path.endsWith("/") ? path.substring(0, path.length() - 1) : path).getBytes(StandardCharsets.US_ASCII);
        this.key = key;
    }

    /**
     * The encoded key of one client: the whole header line, the {@code name=value} cookie pair or the
     * URL-encoded {@code name=value} query parameter, as the placement says.
     *
     * @throws IllegalArgumentException if the key holds a character a header cannot carry
     */
    byte[] identity(String clientKey) {
        return switch (key.where()) {
            case HEADER -> (key.name() + ": " + headerValue(clientKey, "client key") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            case COOKIE -> (key.name() + "=" + headerValue(clientKey, "client key"))
                    .getBytes(StandardCharsets.US_ASCII);
            case QUERY -> (URLEncoder.encode(key.name(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(clientKey, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.US_ASCII);
        };
    }

    /**
     * Checks that a planned request can be written as a request line.
     *
     * @throws IllegalArgumentException naming the client and the request if its method is not an HTTP
     *     token or its path holds a space or a control character
     */
    static void checkRequest(String clientKey, int index, PlannedRequest r) {
        String m = r.method();
        boolean methodOk = !m.isEmpty();
        for (int i = 0; i < m.length() && methodOk; i++) {
            char c = m.charAt(i);
            methodOk = c > ' ' && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }
        if (!methodOk) {
            throw new IllegalArgumentException("client \"" + clientKey + "\" request " + (index + 1) + ": method \"" + m
                    + "\" is not an HTTP token");
        }
        String p = r.path();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("client \"" + clientKey + "\" request " + (index + 1)
                        + ": path \"" + p + "\" holds a space or control character at index " + i
                        + " (percent-encode it)");
            }
        }
    }

    /**
     * Writes the head of {@code r} for a client.
     *
     * @param out where to write
     * @param r the request
     * @param identity the client's {@link #identity}
     * @param ticket the admission ticket the client keeps, or null
     * @param cookies cookies the client keeps (name to value), may be empty, never null
     * @param close whether to ask the server to close the connection after the answer
     */
    void writeHead(
            ByteBuf out, PlannedRequest r, byte[] identity, String ticket, Map<String, String> cookies, boolean close) {
        ByteBufUtil.writeAscii(out, r.method());
        out.writeByte(' ');
        out.writeBytes(basePath);
        String path = r.path();
        ByteBufUtil.writeUtf8(out, path);
        if (key.where() == ClientKeyPlacement.Where.QUERY) {
            out.writeByte(path.indexOf('?') >= 0 ? '&' : '?');
            out.writeBytes(identity);
        }
        out.writeBytes(HTTP_1_1);
        out.writeBytes(hostLine);
        if (key.where() == ClientKeyPlacement.Where.HEADER) {
            out.writeBytes(identity);
        }
        if (ticket != null) {
            out.writeBytes(TICKET);
            ByteBufUtil.writeAscii(out, ticket);
            out.writeBytes(CRLF);
        }
        boolean cookieKey = key.where() == ClientKeyPlacement.Where.COOKIE;
        if (cookieKey || !cookies.isEmpty()) {
            out.writeBytes(COOKIE);
            boolean first = true;
            if (cookieKey) {
                out.writeBytes(identity);
                first = false;
            }
            for (Map.Entry<String, String> c : cookies.entrySet()) {
                if (!first) {
                    out.writeByte(';').writeByte(' ');
                }
                first = false;
                ByteBufUtil.writeAscii(out, c.getKey());
                out.writeByte('=');
                ByteBufUtil.writeAscii(out, c.getValue());
            }
            out.writeBytes(CRLF);
        }
        long bytes = r.bodyBytes();
        if (bytes > 0 || r.method().startsWith("P")) {
            out.writeBytes(CONTENT_LENGTH);
            ByteBufUtil.writeAscii(out, Long.toString(bytes));
            out.writeBytes(CRLF);
        }
        if (close) {
            out.writeBytes(CONNECTION_CLOSE);
        }
        out.writeBytes(CRLF);
    }

    private static String headerValue(String v, String what) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < ' ' && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException(
                        what + " \"" + v + "\" holds a control or non-ASCII character at index " + i);
            }
        }
        return v;
    }
}
