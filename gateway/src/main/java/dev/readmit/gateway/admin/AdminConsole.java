package dev.readmit.gateway.admin;

import dev.readmit.admission.NanoClock;
import dev.readmit.admission.ramp.RampListener;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.HostPort;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of a running gateway, assembled: the admin API server, the event ring fed by
 * the ramps, the status history sampled once a second, and the gateway-side gauges.
 *
 * <pre>{@code
 * AdminConsole admin = AdminConsole.builder(listen, config, registry)
 *         .admission(runtime)                 // null or absent: admission off
 *         .gateway(GatewayState.started(gateway::draining))
 *         .token(AdminToken.resolve(System.getenv(), config.adminTokenFile()))
 *         .configSource(() -> GatewayConfigReader.read(file))
 *         .start();
 * }</pre>
 *
 * <p>Thread safe; {@link #close} stops the sampler and the server.
 */
public final class AdminConsole implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminConsole.class);

    private final AdminServer server;
    private final AdminEvents events;
    private final StatusHistory history;
    private final StatusReport report;
    private final ScheduledExecutorService sampler;
    private final AdmissionRuntime admission;
    private final RampListener listener;

    private AdminConsole(Builder b) throws IOException {
        this.admission = b.admission;
        this.events = new AdminEvents(AdminEvents.DEFAULT_CAPACITY, b.wall);
        this.history = new StatusHistory(StatusHistory.FIFTEEN_MINUTES);
        this.report = new StatusReport(b.admission, b.gateway, b.clock, b.wall);
        OperatorControls controls = new OperatorControls(b.admission, events);
        ConfigReload reload = new ConfigReload(b.source, b.config, controls);
        AdminApi api = new AdminApi(report, history, events, controls, reload, b.registry, b.token);
        if (admission != null) {
            listener = events.rampListener();
            admission.controller().plan().addListener(listener);
            new AdminMetrics(admission).bindTo(b.registry);
        } else {
            listener = null;
        }
        if (!b.token.configured()) {
            log.warn(
                    "no admin token (set {} or admin.tokenFile): the admin API will refuse every change",
                    AdminToken.ENV);
        } else {
            log.info("admin token from {}", b.token.source());
        }
        try {
            this.server = AdminServer.start(b.listen, api, b.readTimeout);
        } catch (IOException e) {
            if (listener != null) {
                admission.controller().plan().removeListener(listener);
            }
            throw e;
        }
        if (b.sampleEverySecond) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "readmit-admin-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(this::sampleNow, 0, 1, TimeUnit.SECONDS);
        } else {
            sampler = null;
        }
    }

    /**
     * A builder for an admin console on {@code listen} for a gateway started from {@code config},
     * exposing {@code registry} on {@code /metrics}.
     */
    public static Builder builder(HostPort listen, GatewayConfig config, PrometheusMeterRegistry registry) {
        return new Builder(listen, config, registry);
    }

    /** Takes one history sample now (the sampler does this every second). */
    public void sampleNow() {
        try {
            history.add(report.sample());
        } catch (RuntimeException e) {
            log.warn("status sample failed; will try again in a second", e);
        }
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public AdminEvents events() {
        return events;
    }

    public StatusHistory history() {
        return history;
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (listener != null) {
            admission.controller().plan().removeListener(listener);
        }
        server.close();
    }

    /** Options of an {@link AdminConsole}; each has a default except the three given to the builder. */
    public static final class Builder {
        private final HostPort listen;
        private final GatewayConfig config;
        private final PrometheusMeterRegistry registry;
        private AdmissionRuntime admission;
        private StatusReport.GatewayState gateway = StatusReport.GatewayState.started(() -> false);
        private AdminToken token = AdminToken.none();
        private ConfigSource source;
        private NanoClock clock = NanoClock.system();
        private InstantSource wall = InstantSource.system();
        private boolean sampleEverySecond = true;
        private Duration readTimeout = AdminServer.DEFAULT_READ_TIMEOUT;

        private Builder(HostPort listen, GatewayConfig config, PrometheusMeterRegistry registry) {
            this.listen = Objects.requireNonNull(listen, "listen");
            this.config = Objects.requireNonNull(config, "config");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The running admission; default none (admission off: every lever answers 409). */
        public Builder admission(AdmissionRuntime admission) {
            this.admission = admission;
            return this;
        }

        /** Readiness and draining of the proxy; default always ready. */
        public Builder gateway(StatusReport.GatewayState gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The bearer token; default none (every change refused with 401). */
        public Builder token(AdminToken token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Where {@code /config/reload} reads; default none (reloads answer 409). */
        public Builder configSource(ConfigSource source) {
            this.source = source;
            return this;
        }

        /** The admission clock; default the system's. */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The wall clock that stamps events and samples; default the system's. */
        public Builder wall(InstantSource wall) {
            this.wall = Objects.requireNonNull(wall, "wall");
            return this;
        }

        /** Whether a thread samples the history every second; default true. Tests call {@link #sampleNow}. */
        public Builder sampleEverySecond(boolean on) {
            this.sampleEverySecond = on;
            return this;
        }

        /** How long an admin connection may send nothing before it is closed; default 60 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Starts the server. @throws IOException if the address cannot be bound */
        public AdminConsole start() throws IOException {
            return new AdminConsole(this);
        }
    }
}
