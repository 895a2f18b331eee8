package dev.readmit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * nginx as the usual improvised answer to a storm: a reverse proxy with {@code limit_req} at the
 * service's capacity in front of it, run as a child process on a free loopback port with its
 * configuration, pid, logs and temp files in a temporary directory. Requests over the limit get
 * {@code 429} without {@code Retry-After} (clients then back off on their own); a small burst is let
 * through without delay, the rest is rejected at once (no queueing in nginx, so it adds no latency of
 * its own to what it lets through). Close it to stop nginx (SIGTERM, then SIGKILL after 5 s). Not
 * thread safe.
 */
final class NginxLimitReq implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private NginxLimitReq(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * The configuration nginx runs with.
     *
     * @param dir the prefix: pid, logs and temp files go there
     * @param port where nginx listens on 127.0.0.1
     * @param upstreamPort the service on 127.0.0.1
     * @param ratePerSecond the {@code limit_req} rate, requests per second, &ge; 1
     * @param burst requests over the rate let through at once ({@code burst=N nodelay})
     * @param workerProcesses nginx worker processes
     * @param runAsRoot whether to say {@code user root;} (nginx started by root would otherwise run its
     *     workers as {@code nobody}, who cannot write the temp directory)
     */
    static String config(
            Path dir,
            int port,
            int upstreamPort,
            long ratePerSecond,
            long burst,
            int workerProcesses,
            boolean runAsRoot) {
        String d = dir.toAbsolutePath().toString();
        return String.join(
                "\n",
                "# written by readmit bench storm: limit_req at the service's capacity",
                runAsRoot ? "user root;" : "",
                "worker_processes " + workerProcesses + ";",
                "worker_rlimit_nofile 20000;",
                "daemon off;",
                "pid " + d + "/nginx.pid;",
                "error_log " + d + "/error.log warn;",
                "events { worker_connections 19000; multi_accept on; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + d + "/client_body;",
                "  proxy_temp_path " + d + "/proxy;",
                "  fastcgi_temp_path " + d + "/fastcgi;",
                "  uwsgi_temp_path " + d + "/uwsgi;",
                "  scgi_temp_path " + d + "/scgi;",
                "  client_max_body_size 0;",
                "  keepalive_requests 1000000;",
                "  keepalive_timeout 75s;",
                "  limit_req_zone $server_name zone=storm:1m rate=" + ratePerSecond + "r/s;",
                "  limit_req_status 429;",
                "  upstream service { server 127.0.0.1:" + upstreamPort + "; keepalive 256; }",
                "  server {",
                "    listen 127.0.0.1:" + port + " backlog=4096;",
                "    server_name storm;",
                "    location / {",
                "      limit_req zone=storm burst=" + burst + " nodelay;",
                "      proxy_pass http://service;",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Connection \"\";",
                "      proxy_request_buffering off;",
                "      proxy_buffering off;",
                "      proxy_read_timeout 30s;",
                "    }",
                "  }",
                "}",
                "");
    }

    /**
     * Writes the configuration into a new temporary directory, starts {@code nginx} and returns once it
     * accepts connections (at most 10 s).
     *
     * @param nginx the nginx executable (a name on the PATH or a path)
     * @throws IOException when nginx cannot be started or does not listen in time; the message holds
     *     the end of its error log
     */
    static NginxLimitReq start(String nginx, int upstreamPort, long ratePerSecond, long burst, int workerProcesses)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("readmit-storm-nginx");
        int port = freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(
                conf,
                config(dir, port, upstreamPort, ratePerSecond, burst, workerProcesses, root),
                StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(List.of(
                        nginx,
                        "-p",
                        dir.toAbsolutePath().toString(),
                        "-c",
                        conf.toAbsolutePath().toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        NginxLimitReq started = new NginxLimitReq(process, dir, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nginx exited with " + process.exitValue() + ": " + started.logTail());
            }
            if (accepts(port)) {
                return started;
            }
            Thread.sleep(50);
        }
        started.close();
        throw new IOException("nginx did not listen on 127.0.0.1:" + port + " within 10 s: " + started.logTail());
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The directory holding nginx.conf and the logs. */
    Path dir() {
        return dir;
    }

    private String logTail() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("error.log", "stdout.log")) {
            Path f = dir.resolve(name);
            try {
                if (Files.exists(f)) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    sb.append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.length() == 0 ? "(no log)" : sb.toString();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free a moment ago on 127.0.0.1 (nginx cannot be told to pick one itself). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "nginx on 127.0.0.1:%d (config %s)", port, dir.resolve("nginx.conf"));
    }
}
