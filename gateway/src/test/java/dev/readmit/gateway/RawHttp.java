package dev.readmit.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain-socket HTTP/1.1 client for tests that need what real clients do not do on purpose: pipelining,
 * malformed requests, hop-by-hop headers, reading a response byte by byte.
 */
public final class RawHttp implements AutoCloseable {

    /** A parsed response; {@code complete} is false when the connection ended before the body did. */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    public RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public OutputStream output() {
        return out;
    }

    public InputStream input() {
        return in;
    }

    /** True when the server closed the connection (end of stream or reset) before sending a byte. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Reads one response; {@code headRequest} means no body follows the head. */
    public Response read(boolean headRequest) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete = true;
        boolean noBody = headRequest || status == 204 || status == 304 || status / 100 == 1;
        if (noBody) {
            // nothing follows the head
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            complete = readChunked(body);
        } else if (headers.containsKey("content-length")) {
            long length = Long.parseLong(headers.get("content-length"));
            complete = copy(body, length);
        } else {
            copy(body, Long.MAX_VALUE);
        }
        return new Response(status, headers, body.toByteArray(), complete);
    }

    public Response read() throws IOException {
        return read(false);
    }

    private boolean readChunked(ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line();
            if (size == null) {
                return false;
            }
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line()) != null && !trailer.isEmpty()) {
                    // trailers are not needed by the tests
                }
                return trailer != null;
            }
            if (!copy(body, n) || line() == null) {
                return false;
            }
        }
    }

    private boolean copy(ByteArrayOutputStream body, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, left));
            } catch (SocketException e) {
                return false;
            }
            if (n < 0) {
                return length == Long.MAX_VALUE;
            }
            body.write(buf, 0, n);
            left -= n;
        }
        return true;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c;
            try {
                c = in.read();
            } catch (SocketException e) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (c < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
