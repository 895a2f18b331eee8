package dev.readmit.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A well-behaved HTTP/1.1 upstream for proxy tests (the JDK's HTTP server, so nothing of Netty's is on
 * the upstream side). Endpoints:
 *
 * <ul>
 *   <li>{@code /echo}: 200, the request body streamed back (chunked), {@code X-Method} the method
 *   <li>{@code /headers}: 200, the request headers as {@code name: value} lines, names lowercase, sorted
 *   <li>{@code /status/N}: status N, body {@code status N} unless N has no body
 *   <li>{@code /bytes/N}: N bytes of a fixed pattern with {@code Content-Length}, written in 64 KiB pieces;
 *       {@code /bytes/N?pauseEvery=K} pauses 1 ms every K pieces (a slow producer)
 *   <li>{@code /count}: reads the body and answers {@code bytes crc32}; {@code ?slow} reads it in 64 KiB
 *       pieces with a 1 ms pause each (a slow consumer)
 *   <li>{@code /hold}: waits until {@link #release()} then answers 200 {@code released}
 *   <li>{@code /seq/N}: 200, body {@code N}
 * </ul>
 */
public final class UpstreamStub implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger holding = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(1);

    public UpstreamStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Requests waiting in {@code /hold} now. */
    public int holding() {
        return holding.get();
    }

    public void release() {
        hold.countDown();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            if (path.equals("/echo")) {
                ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
                boolean head = ex.getRequestMethod().equals("HEAD");
                ex.sendResponseHeaders(200, head ? -1 : 0);
                if (!head) {
                    try (InputStream in = ex.getRequestBody();
                            OutputStream out = ex.getResponseBody()) {
                        in.transferTo(out);
                    }
                }
            } else if (path.equals("/headers")) {
                List<String> lines = new ArrayList<>();
                for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
                    for (String v : e.getValue()) {
                        lines.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + v);
                    }
                }
                lines.sort(null);
                ex.getRequestBody().readAllBytes();
                send(ex, 200, String.join("\n", lines) + "\n");
            } else if (path.startsWith("/status/")) {
                int code = Integer.parseInt(path.substring("/status/".length()));
                ex.getRequestBody().readAllBytes();
                if (code == 204 || code == 304) {
                    ex.sendResponseHeaders(code, -1);
                } else {
                    send(ex, code, "status " + code);
                }
            } else if (path.startsWith("/bytes/")) {
                long n = Long.parseLong(path.substring("/bytes/".length()));
                int pauseEvery = query != null && query.startsWith("pauseEvery=")
                        ? Integer.parseInt(query.substring("pauseEvery=".length()))
                        : 0;
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, n);
                byte[] piece = pattern(65536);
                try (OutputStream out = ex.getResponseBody()) {
                    long left = n;
                    int pieces = 0;
                    while (left > 0) {
                        int len = (int) Math.min(piece.length, left);
                        out.write(piece, 0, len);
                        left -= len;
                        if (pauseEvery > 0 && ++pieces % pauseEvery == 0) {
                            pause();
                        }
                    }
                }
            } else if (path.equals("/count")) {
                boolean slow = "slow".equals(query);
                CRC32 crc = new CRC32();
                long total = 0;
                byte[] buf = new byte[65536];
                try (InputStream in = ex.getRequestBody()) {
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        crc.update(buf, 0, r);
                        total += r;
                        if (slow) {
                            pause();
                        }
                    }
                }
                send(ex, 200, total + " " + crc.getValue());
            } else if (path.equals("/hold")) {
                ex.getRequestBody().readAllBytes();
                holding.incrementAndGet();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    holding.decrementAndGet();
                }
                send(ex, 200, "released");
            } else if (path.startsWith("/seq/")) {
                ex.getRequestBody().readAllBytes();
                send(ex, 200, path.substring("/seq/".length()));
            } else {
                send(ex, 404, "no such endpoint " + path);
            }
        }
    }

    /** The body {@code /bytes/N} sends, for comparison. */
    public static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        hold.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
