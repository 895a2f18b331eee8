package dev.readmit.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A readmit gateway in its own JVM ({@code java -Xmx<heap> -jar readmit.jar gateway --config ...}), so
 * that its heap can be bounded and measured apart from the load generator: the benchmark's 100,000
 * client variant. Its GC log tells the most heap it used. Close it to stop it (SIGTERM, then SIGKILL
 * after 10 s). Not thread safe.
 */
final class GatewayProcess implements AutoCloseable {

    /** {@code GC(12) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(512M) 3.456ms}: the first size. */
    private static final Pattern HEAP_BEFORE_GC =
            Pattern.compile("\\) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private final Process process;
    private final Path dir;
    private final int port;

    private GatewayProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Writes {@code yaml} (its {@code listen} must be {@code 127.0.0.1:PORT} for the given port) and
     * starts the gateway with {@code -Xmx<heap>}; returns once it accepts connections (at most 30 s).
     *
     * @throws IOException when it exits or does not listen in time; the message holds the end of its log
     */
    static GatewayProcess start(String yaml, int port, String heap) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("readmit-storm-gateway");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-Xlog:gc:file=" + dir.resolve("gc.log"),
                "-jar",
                ownJar().toString(),
                "gateway",
                "--config",
                config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile())
                .start();
        GatewayProcess started = new GatewayProcess(process, dir, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the gateway exited with " + process.exitValue() + ": " + started.logTail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return started;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        started.close();
        throw new IOException("the gateway did not listen on 127.0.0.1:" + port + " within 30 s: " + started.logTail());
    }

    private static Path ownJar() throws IOException {
        try {
            Path jar = Path.of(GatewayProcess.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (!Files.isRegularFile(jar)) {
                throw new IOException("the gateway process needs readmit.jar; running from " + jar);
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IOException("cannot find readmit.jar", e);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    Path dir() {
        return dir;
    }

    /** Whether it is still running (false after an OutOfMemoryError killed it, for example). */
    boolean alive() {
        return process.isAlive();
    }

    /** The most heap in use before any collection, MiB, from its GC log; empty if it never collected. */
    OptionalDouble peakHeapMiB() throws IOException {
        Path log = dir.resolve("gc.log");
        return Files.exists(log)
                ? peakHeapMiB(Files.readAllLines(log, StandardCharsets.UTF_8))
                : OptionalDouble.empty();
    }

    static OptionalDouble peakHeapMiB(List<String> gcLog) {
        double peak = -1;
        for (String line : gcLog) {
            Matcher m = HEAP_BEFORE_GC.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, mib(Long.parseLong(m.group(1)), m.group(2)));
            }
        }
        return peak < 0 ? OptionalDouble.empty() : OptionalDouble.of(peak);
    }

    private static double mib(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024.0;
            case "G" -> value * 1024.0;
            default -> value;
        };
    }

    /** Whether its log shows an {@code OutOfMemoryError}. */
    boolean ranOutOfMemory() throws IOException {
        Path log = dir.resolve("gateway.log");
        return Files.exists(log)
                && Files.readString(log, StandardCharsets.UTF_8).contains("OutOfMemoryError");
    }

    private String logTail() throws IOException {
        Path log = dir.resolve("gateway.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
