package dev.readmit.gateway.e2e;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kept-alive HTTP/1.1 upstream on plain sockets that answers each response in one write with
 * {@code TCP_NODELAY} (the JDK server's separate head and body writes meet delayed ACKs and cost about
 * 40 ms a request, too slow for thousands) and counts what it sees. Handles bodiless requests only.
 *
 * <ul>
 *   <li>{@code /seq/N}: 200, body {@code N}
 *   <li>{@code /status/N}: status N, body {@code status N}
 *   <li>{@code /slow}: counted as in flight, then waits for a permit ({@link #release}, or none needed
 *       after {@link #openTheTap}); answers 200 {@code slow}
 * </ul>
 *
 * <p>While {@link #setFailing failing}, every request is answered {@code 503 status 503}.
 *
 * <p>Thread per connection; every counter is thread safe.
 */
final class CountingUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger slowAnswered = new AtomicInteger();
    private final Semaphore permits = new Semaphore(0);
    private volatile boolean failing;

    CountingUpstream() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Requests received, of every path. */
    int requests() {
        return requests.get();
    }

    /** {@code /slow} requests received and not yet answered. */
    int inFlight() {
        return inFlight.get();
    }

    /** The most {@code /slow} requests ever in flight at once. */
    int maxInFlight() {
        return maxInFlight.get();
    }

    /** {@code /slow} requests answered. */
    int slowAnswered() {
        return slowAnswered.get();
    }

    /** True: every request is answered 503 from now on; false: back to normal. */
    void setFailing(boolean failing) {
        this.failing = failing;
    }

    /** Lets {@code n} waiting (or future) {@code /slow} requests be answered. */
    void release(int n) {
        permits.release(n);
    }

    /** From now on {@code /slow} answers at once. */
    void openTheTap() {
        permits.release(Integer.MAX_VALUE / 2);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String path;
            while ((path = readHead(in)) != null) {
                requests.incrementAndGet();
                if (failing) {
                    answer(out, 503, "status 503");
                } else if (path.startsWith("/seq/")) {
                    answer(out, 200, path.substring("/seq/".length()));
                } else if (path.startsWith("/status/")) {
                    int status = Integer.parseInt(path.substring("/status/".length()));
                    answer(out, status, "status " + status);
                } else if (path.equals("/slow")) {
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                    try {
                        permits.acquire();
                    } catch (InterruptedException e) {
                        return;
                    }
                    inFlight.decrementAndGet();
                    slowAnswered.incrementAndGet();
                    answer(out, 200, "slow");
                } else {
                    answer(out, 404, "no such endpoint " + path);
                }
            }
        } catch (IOException e) {
            // the gateway closed the connection
        } finally {
            sockets.remove(s);
        }
    }

    private static void answer(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head =
                "HTTP/1.1 " + status + " X\r\nContent-Type: text/plain\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        out.write(all);
        out.flush();
    }

    /** Reads one request head and returns its path, or null at the end of the connection. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        String path = null;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                if (line.length() == 0) {
                    if (path != null) {
                        return path;
                    }
                } else if (path == null) {
                    path = line.toString().split(" ")[1];
                }
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
    }
}
