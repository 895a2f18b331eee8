package dev.readmit.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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

/**
 * Sends requests mutated at random (a fixed seed, so every run sends the same bytes) to a gateway and
 * judges what comes back: bytes replaced by the characters HTTP parsing turns on, spans deleted, repeated
 * or inserted, the request cut short, sent in pieces, several connections at a time. Each connection must
 * end within the gateway's own timeouts with nothing but well-formed responses on it (or none, a clean
 * close), and never a {@code 500} (the gateway's way of saying it failed).
 */
public final class MutatedRequests {

    /** What the parsers turn on: separators, line ends, digits, hex, letters. */
    private static final byte[] ALPHABET = " \t\r\n:;,/?%\"0159afAZ-=".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * @param problems one line per connection that hung or carried a bad answer, with what was sent
     * @param answered connections that got at least one final answer
     * @param statuses how many final answers of each status came back
     */
    public record Outcome(List<String> problems, int answered, Map<Integer, Integer> statuses) {}

    private MutatedRequests() {}

    /** Sends {@code cases} mutations of the {@code base} requests (taken in turn), {@code parallel} at a time. */
    public static Outcome send(InetSocketAddress gateway, List<String> base, long seed, int cases, int parallel)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> inputs = new ArrayList<>();
        List<int[]> pieces = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            byte[] bytes = mutate(base.get(i % base.size()).getBytes(StandardCharsets.ISO_8859_1), random);
            inputs.add(bytes);
            pieces.add(cuts(bytes.length, random));
        }
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < cases; i++) {
                int n = i;
                outcomes.add(pool.submit(() -> exchange(gateway, n, inputs.get(n), pieces.get(n), statuses)));
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
            return new Outcome(problems, answered, new TreeMap<>(statuses));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends one input in its pieces and reads answers until the gateway closes: "closed", "answered N" or "problem ...". */
    private static String exchange(
            InetSocketAddress gateway, int n, byte[] input, int[] cuts, Map<Integer, Integer> statuses)
            throws IOException {
        try (RawHttp raw = new RawHttp(gateway)) {
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
                statuses.merge(r.status(), 1, Integer::sum);
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

    static byte[] mutate(byte[] base, SplittableRandom random) {
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
