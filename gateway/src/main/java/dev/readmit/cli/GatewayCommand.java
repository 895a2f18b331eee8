package dev.readmit.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.AdmissionStages;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.Transport;
import dev.readmit.gateway.admin.AdminConsole;
import dev.readmit.gateway.admin.AdminMetrics;
import dev.readmit.gateway.admin.AdminToken;
import dev.readmit.gateway.admin.StatusReport;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code readmit gateway}: runs the gateway from a YAML file, or from a few flags for a quick start.
 * Flags override the file's fields. The configuration is validated before anything starts; every
 * problem is printed with its field path and the start is refused (exit code 1).
 *
 * <p>Runs until the JVM is asked to stop (SIGTERM, Ctrl-C), then shuts down gracefully (see {@link
 * Gateway#shutdown}).
 */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        versionProvider = ReadmitVersion.class,
        description = {
            "Runs the readmission gateway in front of an upstream service.",
            "Either --config FILE, or at least --upstream URL for a quick start; flags override the file."
        })
public final class GatewayCommand implements Callable<Integer> {

    /** Field names written into the {@code admission} section by the quick-start flags. */
    static final String OPEN_PERCENT = "openPercent";

    static final String NEW_CLIENTS_PER_SECOND = "newClientsPerSecond";
    static final String TICKET_KEY_FILE = "ticketKeyFile";

    private static final Logger log = LoggerFactory.getLogger(GatewayCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The YAML configuration (see readmit.example.yaml).")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where clients connect (listen).")
    String listen;

    @Option(names = "--upstream", paramLabel = "URL", description = "The service behind the gateway (upstream.url).")
    String upstream;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Where the admin API listens (admin.listen).")
    String admin;

    @Option(
            names = "--open",
            paramLabel = "PERCENT",
            description = "Initial open fraction of the default class, 0 to 100 (admission.openPercent).")
    Double openPercent;

    @Option(
            names = "--rate",
            paramLabel = "N",
            description = "New clients admitted per second (admission.newClientsPerSecond).")
    Double newClientsPerSecond;

    @Option(
            names = "--ticket-key-file",
            paramLabel = "FILE",
            description = "The HMAC key for tickets (admission.ticketKeyFile); without it a random key is made"
                    + " at start and tickets do not survive a restart.")
    Path ticketKeyFile;

    @Option(names = "--worker-threads", paramLabel = "N", description = "Event-loop threads (workerThreads).")
    Integer workerThreads;

    @Option(names = "--check", description = "Validate the configuration, print it, and exit.")
    boolean checkOnly;

    /** The system property with which Netty's leak detection is chosen (e.g. {@code simple}, {@code paranoid}). */
    static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    @Override
    public Integer call() {
        leakDetectionOffUnlessAsked();
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig config;
        try {
            config = configuration();
        } catch (ConfigException e) {
            err.println("readmit: " + e.getMessage());
            err.flush();
            return 1;
        }
        AdmissionRuntime.Parsed admissionSettings;
        try {
            admissionSettings = admissionSettings(config);
        } catch (ConfigException e) {
            err.println("readmit: " + e.getMessage());
            err.flush();
            return 1;
        }
        AdminToken adminToken;
        try {
            adminToken = AdminToken.resolve(System.getenv(), config.adminTokenFile());
        } catch (ConfigException e) {
            err.println("readmit: " + e.getMessage());
            err.flush();
            return 1;
        }
        if (checkOnly) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("configuration is valid: " + config);
            out.flush();
            return 0;
        }
        log.info(
                "config: listen {}, mode {}, upstream {} (host {}, timeouts connect {} ms, response {} ms, idle {} ms,"
                        + " at most {} connections per thread), worker threads {}, drain timeout {} ms, admin {},"
                        + " admission {}",
                config.listen(),
                config.mode().name().toLowerCase(java.util.Locale.ROOT),
                config.upstream().url(),
                config.upstream().hostHeader().name().toLowerCase(java.util.Locale.ROOT),
                config.upstream().connectTimeout().toMillis(),
                config.upstream().responseTimeout().toMillis(),
                config.upstream().idleTimeout().toMillis(),
                config.upstream().maxConnections(),
                config.workerThreads(),
                config.drainTimeout().toMillis(),
                config.adminListen().map(Object::toString).orElse("off"),
                admissionSettings == null ? "off" : describe(admissionSettings));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminMetrics.bindProcessMetrics(registry);
        AdmissionRuntime admission = admissionSettings == null
                ? null
                : AdmissionRuntime.start(
                        admissionSettings.settings(), admissionSettings.control(), NanoClock.system(), registry);
        Gateway gateway;
        try {
            gateway = admission == null
                    ? Gateway.start(config, AdmissionStages.NONE)
                    : Gateway.start(
                            config, admission, admission.upstreamObserver(), NanoClock.system(), Transport.best());
        } catch (IOException e) {
            if (admission != null) {
                admission.close();
            }
            err.println("readmit: " + e.getMessage());
            err.flush();
            return 1;
        }
        AdminConsole adminConsole = null;
        if (config.adminListen().isPresent()) {
            try {
                adminConsole = AdminConsole.builder(config.adminListen().get(), config, registry)
                        .admission(admission)
                        .gateway(StatusReport.GatewayState.started(gateway::draining))
                        .token(adminToken)
                        .configSource(configFile == null ? null : this::configuration)
                        .start();
            } catch (IOException e) {
                gateway.shutdown();
                if (admission != null) {
                    admission.close();
                }
                err.println("readmit: " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::shutdown, "readmit-shutdown"));
        gateway.awaitTermination();
        if (adminConsole != null) {
            adminConsole.close();
        }
        if (admission != null) {
            admission.close();
        }
        return 0;
    }

    /**
     * The validated {@code admission} section, or null when admission is off (no section, or
     * {@code enabled: false}). Public so that whatever starts a gateway with admission (the end-to-end
     * tests, embedders) validates it exactly as this command does.
     *
     * @throws ConfigException listing every problem of the section, each with its field path
     */
    public static AdmissionRuntime.Parsed admissionSettings(GatewayConfig config) throws ConfigException {
        if (config.admission().isEmpty()) {
            return null;
        }
        List<ConfigProblem> problems = new ArrayList<>();
        AdmissionRuntime.Parsed parsed =
                AdmissionRuntime.parse(config.admission().get(), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("(section admission)", problems);
        }
        return parsed.settings().enabled() ? parsed : null;
    }

    private static String describe(AdmissionRuntime.Parsed a) {
        return String.format(
                java.util.Locale.ROOT,
                "on (%d classes, default class opens at %.1f%%, %s new clients/s, burst %s, waiting %s)",
                a.settings().classCount(),
                a.control().defaultClass().initialFraction() * 100,
                a.control().newClientsPerSecond(),
                a.control().burst(),
                a.settings().waiting().mode().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The file (if any) with the flags applied, validated. */
    GatewayConfig configuration() throws ConfigException {
        if (configFile == null && upstream == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give --config FILE, or --upstream URL for a quick start");
        }
        ObjectNode root =
                configFile != null ? GatewayConfigReader.parse(configFile) : JsonNodeFactory.instance.objectNode();
        if (listen != null) {
            root.put("listen", listen);
        }
        if (upstream != null) {
            section(root, "upstream").put("url", upstream);
        }
        if (admin != null) {
            section(root, "admin").put("listen", admin);
        }
        if (workerThreads != null) {
            root.put("workerThreads", workerThreads);
        }
        if (openPercent != null) {
            if (!(openPercent >= 0 && openPercent <= 100)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--open must be a percentage from 0 to 100, got " + openPercent);
            }
            section(root, "admission").put(OPEN_PERCENT, openPercent);
        }
        if (newClientsPerSecond != null) {
            if (!(newClientsPerSecond >= 0) || newClientsPerSecond.isInfinite()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--rate must be a number of new clients per second, 0 or more, got " + newClientsPerSecond);
            }
            section(root, "admission").put(NEW_CLIENTS_PER_SECOND, newClientsPerSecond);
        }
        if (ticketKeyFile != null) {
            if (!Files.isReadable(ticketKeyFile) || Files.isDirectory(ticketKeyFile)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--ticket-key-file must be a readable file, got " + ticketKeyFile);
            }
            section(root, "admission").put(TICKET_KEY_FILE, ticketKeyFile.toString());
        }
        boolean flags = listen != null
                || upstream != null
                || admin != null
                || workerThreads != null
                || openPercent != null
                || newClientsPerSecond != null
                || ticketKeyFile != null;
        String source =
                configFile == null ? "from the command line" : configFile + (flags ? " (with command-line flags)" : "");
        return GatewayConfigReader.validate(root, source);
    }

    private static ObjectNode section(ObjectNode root, String name) {
        if (root.get(name) instanceof ObjectNode existing) {
            return existing;
        }
        return root.putObject(name);
    }

    /**
     * Netty's default leak detection samples one buffer in 128 and records a stack trace for it and for
     * every buffer derived from it: about 1% of the event loop's time on the proxy path (a JFR and perf
     * profile under wrk). The gateway runs without it unless {@code -Dio.netty.leakDetection.level=...}
     * asks for a level; the tests run with PARANOID.
     */
    static void leakDetectionOffUnlessAsked() {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
