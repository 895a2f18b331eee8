package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upstream that answers with responses mutated at random (seeded by the request's path, so every run
 * answers the same request the same way): bytes replaced, spans deleted, repeated or inserted, answers cut
 * short, then the connection kept or closed. Each client sends two requests on one connection; whatever
 * the upstream does, each must end in well-formed answers or a clean close within the gateway's timeouts,
 * an answer must never belong to another request (no response mixing through a reused upstream
 * connection), no buffer may leak, and the gateway serves a well-behaved upstream afterwards.
 */
@ExtendWith(LeakCheckExtension.class)
final class MalformedUpstreamTest {

    private static final long SEED = 424242L;
    private static final int CASES = 160;
    /** The upstream tags each answer with its request's path and a check of it, so a mangled tag is told apart. */
    private static final Pattern TAG = Pattern.compile("(/r/\\d+/\\d)#([0-9a-f]{4})");

    private static final List<String> BASE = List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Req: PATH\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Req: PATH\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Req: PATH\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nX-Req: PATH\r\n\r\n",
            "HTTP/1.1 200 OK\r\nConnection: close\r\nX-Req: PATH\r\n\r\nuntil the close",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Req: PATH\r\n\r\nok",
            "HTTP/1.1 304 Not Modified\r\nX-Req: PATH\r\nContent-Length: 7\r\n\r\n");

    private ServerSocket server;
    private final ExecutorService upstreamThreads = Executors.newCachedThreadPool();
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        upstreamThreads.execute(this::acceptLoop);
        String url = "http://127.0.0.1:" + server.getLocalPort();
        gateway = GatewayHarness.start(
                url,
                "upstream:\n  url: " + url + "\n  responseTimeout: 300ms\n  readTimeout: 300ms\n"
                        + "limits:\n  requestHeaderTimeout: 300ms\n  clientIdleTimeout: 300ms\n");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        server.close();
        upstreamThreads.shutdownNow();
    }

    @Test
    void everyMangledAnswerEndsWellFormedOrInACloseAndNeverReachesAnotherRequest() throws Exception {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<String> problems = new ArrayList<>();
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < CASES; i++) {
                int n = i;
                outcomes.add(clients.submit(() -> twoRequests(n, statuses)));
            }
            for (Future<String> f : outcomes) {
                String outcome = f.get();
                if (outcome != null) {
                    problems.add(outcome);
                }
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(problems)
                .as("clients that hung, got a bad answer or another request's")
                .isEmpty();
        assertThat(new TreeMap<>(statuses))
                .as("passed on, and refused as not HTTP: " + new TreeMap<>(statuses))
                .containsKeys(200, 502);

        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response ok =
                    raw.send("GET /clean HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("x-req")).isEqualTo("/clean");
        }
    }

    /** Two requests on one client connection; null when all went well, else the problem. */
    private String twoRequests(int n, Map<Integer, Integer> statuses) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            raw.socket().setSoTimeout(10_000);
            for (int k = 1; k <= 2; k++) {
                String path = "/r/" + n + "/" + k;
                try {
                    raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
                } catch (IOException e) {
                    return null; // closed after the previous answer: allowed
                }
                RawHttp.Response r;
                try {
                    r = raw.read();
                } catch (SocketTimeoutException e) {
                    return "case " + n + ": no answer to " + path + " and no close within 10 s";
                } catch (IOException e) {
                    return null; // a clean close
                } catch (RuntimeException e) {
                    return "case " + n + ": an answer to " + path + " that is not HTTP: " + e;
                }
                statuses.merge(r.status(), 1, Integer::sum);
                String req = r.header("x-req");
                Matcher tag = req == null ? null : TAG.matcher(req);
                if (tag != null
                        && tag.matches()
                        && tag.group(2).equals(check(tag.group(1)))
                        && !tag.group(1).equals(path)) {
                    return "case " + n + ": the answer to " + path + " was for " + tag.group(1);
                }
                if (!r.complete()) {
                    return null; // cut short by a close, which read() saw: never taken for whole
                }
            }
            return null;
        }
    }

    // ---- the mangling upstream ----

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                upstreamThreads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                String path = head.split(" ", 3)[1];
                Matcher m = Pattern.compile("/r/(\\d+)/(\\d)").matcher(path);
                if (!m.matches()) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Req: " + path + "\r\n\r\nok")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                SplittableRandom random =
                        new SplittableRandom(SEED * 31 + Long.parseLong(m.group(1)) * 7 + Long.parseLong(m.group(2)));
                String base = BASE.get(random.nextInt(BASE.size())).replace("PATH", path + "#" + check(path));
                byte[] answer = random.nextInt(4) == 0
                        ? base.getBytes(StandardCharsets.ISO_8859_1)
                        : MutatedRequests.mutate(base.getBytes(StandardCharsets.ISO_8859_1), random);
                int cut = random.nextInt(answer.length + 1);
                out.write(answer, 0, cut);
                out.flush();
                out.write(answer, cut, answer.length - cut);
                out.flush();
                if (base.contains("Connection: close") || random.nextInt(3) == 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // the gateway closing on us, or our own read timeout: the connection is over
        }
    }

    private static String check(String path) {
        return String.format("%04x", (path.hashCode() * 0x9E37) >>> 16 & 0xffff);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
                return sb.toString();
            }
        }
        return null;
    }
}
