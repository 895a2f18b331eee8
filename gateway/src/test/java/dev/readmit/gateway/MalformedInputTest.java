package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests mutated at random (a fixed seed, so every run sends the same bytes): bytes replaced by the
 * characters HTTP parsing turns on, spans deleted, repeated or inserted, the request cut short, sent in
 * pieces. Whatever arrives, each connection must end within the gateway's own timeouts with nothing but
 * well-formed responses on it (or none, a clean close), never a {@code 500} (the gateway's way of saying
 * it failed), and no buffer may leak (PARANOID). The gateway serves a well-formed request afterwards.
 */
@ExtendWith(LeakCheckExtension.class)
final class MalformedInputTest {

    private static final long SEED = 20261123L;
    private static final int CASES = 240;
    private static final int PARALLEL = 8;

    private static final List<String> BASE = List.of(
            "GET /seq/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n",
            "GET /seq/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /seq/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET /seq/3 HTTP/1.1\r\nHost: a\r\nX-Client-Id: c\r\nCookie: readmit=abc; b=1\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n",
            "PUT /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
                    + "abc");

    /** What the parsers turn on: separators, line ends, NUL, DEL, non-ASCII, digits, hex. */
    private static final byte[] ALPHABET = " \t\r\n:;,/?%\"0159afAZ-".getBytes(StandardCharsets.ISO_8859_1);

    private UpstreamStub upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new UpstreamStub();
        gateway = GatewayHarness.start(
                upstream.url(),
                "upstream:\n  url: " + upstream.url() + "\n  responseTimeout: 500ms\n"
                        + "limits:\n  maxInitialLineLength: 1KiB\n  maxHeaderSize: 4KiB\n"
                        + "  requestHeaderTimeout: 300ms\n  clientIdleTimeout: 300ms\n  requestBodyTimeout: 300ms\n");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    @Test
    void everyMutatedRequestEndsInWellFormedAnswersOrACleanCloseAndTheGatewayGoesOn() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> inputs = new ArrayList<>();
        List<int[]> pieces = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = mutate(BASE.get(i % BASE.size()).getBytes(StandardCharsets.ISO_8859_1), random);
            inputs.add(bytes);
            pieces.add(cuts(bytes.length, random));
        }

        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < CASES; i++) {
                int n = i;
                outcomes.add(pool.submit(() -> exchange(n, inputs.get(n), pieces.get(n))));
            }
            List<String> problems = new ArrayList<>();
            int answered = 0;
            for (Future<String> f : outcomes) {
                String outcome = f.get();
                if (outcome.startsWith("problem")) {
                    problems.add(outcome);
                } else if (!outcome.equals("closed")) {
                    answered++;
                }
            }
            assertThat(problems)
                    .as("connections that hung or carried a bad answer")
                    .isEmpty();
            assertThat(answered).as("connections that got at least one answer").isGreaterThan(CASES / 2);
        } finally {
            pool.shutdownNow();
        }

        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            RawHttp.Response ok =
                    raw.send("GET /seq/ok HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).isEqualTo("ok");
        }
    }

    /** Sends one input in its pieces and reads answers until the gateway closes: "closed", "answered N" or "problem ...". */
    private String exchange(int n, byte[] input, int[] cuts) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            // A bound on a hang, far above the gateway's own timeouts (300-500 ms), not a speed check.
            raw.socket().setSoTimeout(10_000);
            OutputStream out = raw.output();
            int from = 0;
            try {
                for (int cut : cuts) {
                    out.write(input, from, cut - from);
                    out.flush();
                    from = cut;
                }
            } catch (IOException e) {
                // The gateway may answer and close before the rest is written: what it answered is read below.
            }
            int answers = 0;
            while (true) {
                RawHttp.Response r;
                try {
                    r = raw.read();
                } catch (SocketTimeoutException e) {
                    return problem(n, input, "no answer and no close within 10 s after " + answers + " answers");
                } catch (IOException e) {
                    // End of stream (or a reset) before another status line: the connection is over.
                    return answers == 0 ? "closed" : "answered " + answers;
                } catch (RuntimeException e) {
                    return problem(n, input, "an answer that is not HTTP: " + e);
                }
                if (r.status() == 500) {
                    return problem(n, input, "500 " + new String(r.body(), StandardCharsets.ISO_8859_1));
                }
                if (r.status() < 100 || r.status() > 599) {
                    return problem(n, input, "status " + r.status());
                }
                if (r.status() >= 100 && r.status() < 200) {
                    continue;
                }
                answers++;
                if (!r.complete()) {
                    // Cut short by a close: allowed (never a short answer that looks whole, which read() would
                    // have taken for complete only by its declared length).
                    return "answered " + answers;
                }
            }
        }
    }

    private static String problem(int n, byte[] input, String what) {
        return "problem in case " + n + ": " + what + "; sent " + escape(input);
    }

    private static byte[] mutate(byte[] base, SplittableRandom random) {
        byte[] b = base;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = ALPHABET[random.nextInt(ALPHABET.length)];
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> { // delete a span
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    b = concat(slice(b, 0, at), slice(b, at + len, b.length));
                }
                case 3 -> { // repeat a span
                    int len = Math.min(b.length - at, 1 + random.nextInt(24));
                    b = concat(slice(b, 0, at + len), slice(b, at, b.length));
                }
                case 4 -> { // insert random characters
                    byte[] ins = new byte[1 + random.nextInt(6)];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = ALPHABET[random.nextInt(ALPHABET.length)];
                    }
                    b = concat(concat(slice(b, 0, at), ins), slice(b, at, b.length));
                }
                default -> b = slice(b, 0, Math.max(1, at)); // cut short
            }
            if (b.length == 0) {
                b = new byte[] {'\r'};
            }
        }
        return b;
    }

    /** Where to split the writes: up to three cuts, the last at the end. */
    private static int[] cuts(int length, SplittableRandom random) {
        int parts = 1 + random.nextInt(3);
        int[] cuts = new int[parts];
        for (int i = 0; i < parts - 1; i++) {
            cuts[i] = random.nextInt(length + 1);
        }
        cuts[parts - 1] = length;
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
