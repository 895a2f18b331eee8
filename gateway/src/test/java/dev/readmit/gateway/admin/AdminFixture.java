package dev.readmit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.Transport;
import dev.readmit.gateway.UpstreamStub;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.config.HostPort;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A running gateway with admission (classes {@code restores} always open, {@code paying}, and the
 * default {@code everyone}), its upstream stub, and its admin console on 127.0.0.1, ephemeral ports.
 * Time is a {@link ManualClock}: ramps move only when a test advances it. The config file is
 * {@link #configFile}; a test rewrites it and reloads.
 */
public final class AdminFixture implements AutoCloseable {

    public static final String TOKEN = "test-admin-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    public static final String ADMISSION =
            """
            admission:
              openPercent: 10
              newClientsPerSecond: 50
              burst: 20
              classes:
                - name: restores
                  match: {path: "/api/restore/**"}
                  alwaysOpen: true
                - name: paying
                  match: {header: {name: X-Tier, value: paying}}
                  openPercent: 20
              defaultClass: everyone
              waiting:
                message: "back soon"
            """;

    public final ManualClock clock = new ManualClock();
    public final UpstreamStub upstream;
    public final Path configFile;
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    public final AdmissionRuntime admission;
    public final Gateway gateway;
    public final AdminConsole admin;
    public final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminFixture(Path dir) throws IOException, ConfigException {
        this(dir, AdminToken.of(TOKEN, "test"), true);
    }

    public AdminFixture(Path dir, AdminToken token, boolean withAdmission) throws IOException, ConfigException {
        this(dir, token, withAdmission, AdminServer.DEFAULT_READ_TIMEOUT);
    }

    /** @param adminReadTimeout how long an admin connection may send nothing before it is closed */
    public AdminFixture(Path dir, AdminToken token, boolean withAdmission, Duration adminReadTimeout)
            throws IOException, ConfigException {
        upstream = new UpstreamStub();
        configFile = dir.resolve("readmit.yaml");
        Files.writeString(configFile, yaml(withAdmission ? ADMISSION : ""));
        GatewayConfig config = GatewayConfigReader.read(configFile);
        AdmissionRuntime runtime = null;
        if (withAdmission) {
            List<dev.readmit.gateway.config.ConfigProblem> problems = new ArrayList<>();
            AdmissionRuntime.Parsed parsed =
                    AdmissionRuntime.parse(config.admission().get(), problems);
            if (!problems.isEmpty()) {
                throw new ConfigException("fixture", problems);
            }
            runtime = AdmissionRuntime.start(parsed.settings(), parsed.control(), clock, registry);
        }
        admission = runtime;
        gateway = runtime == null
                ? Gateway.start(config, dev.readmit.gateway.AdmissionStages.NONE, Transport.best())
                : Gateway.start(config, runtime, runtime.upstreamObserver(), clock, Transport.best());
        admin = AdminConsole.builder(new HostPort("127.0.0.1", 0), config, registry)
                .admission(runtime)
                .gateway(StatusReport.GatewayState.started(gateway::draining))
                .token(token)
                .configSource(() -> GatewayConfigReader.read(configFile))
                .clock(clock)
                .wall(InstantSource.fixed(Instant.parse("2026-11-23T12:00:00Z")))
                .sampleEverySecond(false)
                .readTimeout(adminReadTimeout)
                .start();
    }

    public String yaml(String admissionSection) {
        return "listen: 127.0.0.1:0\nworkerThreads: 1\nupstream:\n  url: " + upstream.url() + "\n" + admissionSection;
    }

    public String adminUrl() {
        return "http://127.0.0.1:" + admin.localAddress().getPort();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(adminUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body, String token) throws IOException, InterruptedException {
        return post(path, body, token, null);
    }

    public HttpResponse<String> post(String path, String body, String token, String operator)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(adminUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (operator != null) {
            b.header("X-Readmit-Operator", operator);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    public JsonNode status() throws IOException, InterruptedException {
        return json(get("/status"));
    }

    public JsonNode classStatus(String name) throws IOException, InterruptedException {
        for (JsonNode k : status().get("classes")) {
            if (k.get("name").asText().equals(name)) {
                return k;
            }
        }
        throw new AssertionError("no class " + name);
    }

    @Override
    public void close() {
        admin.close();
        gateway.shutdown();
        if (admission != null) {
            admission.close();
        }
        upstream.close();
    }
}
