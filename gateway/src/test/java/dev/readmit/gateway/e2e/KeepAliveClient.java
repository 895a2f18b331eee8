package dev.readmit.gateway.e2e;

import dev.readmit.gateway.RawHttp;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A buffered HTTP/1.1 client on one kept-alive connection, for tests that send thousands of requests:
 * requests can be pipelined ({@link #send} several, then {@link #read} as many), responses are parsed
 * from a buffered stream ({@link RawHttp} reads byte by byte, which is right for its edge cases and too
 * slow here). Not thread safe.
 */
final class KeepAliveClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    KeepAliveClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * Queues a bodiless request; sent on {@link #flush} or when the buffer fills.
     *
     * @param headers extra header lines, each {@code Name: value}
     */
    KeepAliveClient send(String method, String path, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder(128)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: gateway.test\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    KeepAliveClient flush() throws IOException {
        out.flush();
        return this;
    }

    /** Sends one GET and reads its response. */
    RawHttp.Response get(String path, String... headers) throws IOException {
        send("GET", path, headers).flush();
        return read();
    }

    /** Reads one complete response (Content-Length or chunked body); fails if the connection ends first. */
    RawHttp.Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim(),
                    (a, b) -> a + "\n" + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            long size;
            while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                body.write(in.readNBytes((int) size));
                line();
            }
            while ((line = line()) != null && !line.isEmpty()) {
                // trailers are not needed
            }
        } else {
            long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length != length) {
                throw new IOException("connection closed in the middle of a body");
            }
            body.write(bytes);
        }
        return new RawHttp.Response(status, headers, body.toByteArray(), true);
    }

    /** True when the peer has closed the connection (end of stream or reset) before sending a byte. */
    boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
