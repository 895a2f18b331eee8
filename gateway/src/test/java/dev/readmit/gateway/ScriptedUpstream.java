package dev.readmit.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A raw-socket upstream that misbehaves on purpose. Each connection reads one request head and then
 * acts on its path:
 *
 * <ul>
 *   <li>{@code /keep}: the first on a connection gets a kept-alive 200 {@code kept}; a second on the same
 *       connection is met with a close (the race of a kept-alive connection timing out upstream)
 *   <li>{@code /ok}: a correct 200 with {@code Content-Length} and {@code Connection: close}
 *   <li>{@code /reset-before}: resets the connection before answering
 *   <li>{@code /close-before}: closes the connection cleanly before answering
 *   <li>{@code /reset-mid-length}: head with {@code Content-Length: 100000}, 1000 bytes, then a reset
 *   <li>{@code /reset-mid-chunked}: chunked head, one chunk, then a reset
 *   <li>{@code /stall-mid-length}, {@code /stall-mid-chunked}: the same heads and first bytes, then nothing
 *       more, until the gateway gives up
 *   <li>{@code /silent}: reads and never answers, until the gateway gives up
 *   <li>{@code /garbage}: answers with bytes that are not HTTP
 *   <li>{@code /hop}: a 200 carrying hop-by-hop headers, one named in {@code Connection}
 * </ul>
 */
public final class ScriptedUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public ScriptedUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        executor.execute(this::acceptLoop);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                executor.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            String head;
            int served = 0;
            while ((head = readHead(s.getInputStream())) != null) {
                String path = head.split(" ")[1];
                if (path.equals("/keep")) {
                    if (served++ > 0) {
                        // A kept-alive connection the upstream gives up on just as the next request arrives.
                        return;
                    }
                    s.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept"));
                    s.getOutputStream().flush();
                    continue;
                }
                serveOnce(s, path);
                return;
            }
        } catch (IOException e) {
            // the gateway closing on us is part of several scripts
        }
    }

    private void serveOnce(Socket s, String path) throws IOException {
        {
            var out = s.getOutputStream();
            switch (path) {
                case "/ok" -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
                case "/reset-before" -> reset(s);
                case "/close-before" -> s.close();
                case "/reset-mid-length" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"));
                    out.write(new byte[1000]);
                    out.flush();
                    reset(s);
                }
                case "/reset-mid-chunked" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
                    out.flush();
                    reset(s);
                }
                case "/stall-mid-length", "/stall-mid-chunked" -> {
                    out.write(ascii(
                            path.endsWith("length")
                                    ? "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000)
                                    : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
                    out.flush();
                    while (s.getInputStream().read() >= 0) {
                        // the rest never comes; wait for the gateway to give up and close
                    }
                }
                case "/silent" -> {
                    while (s.getInputStream().read() >= 0) {
                        // wait for the gateway to give up and close
                    }
                }
                case "/garbage" -> out.write(ascii("this is not http\r\n\r\n"));
                case "/hop" -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close, X-Hop\r\n"
                        + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\n"
                        + "Upgrade: h2c\r\nX-End: kept\r\n\r\nhop"));
                default -> out.write(ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
            }
            out.flush();
        }
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.toString();
            }
        }
        return null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        executor.shutdownNow();
    }
}
