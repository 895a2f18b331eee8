package dev.readmit.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and validates the gateway's YAML configuration.
 *
 * <p>Reading is two steps so the command line can override fields of a file: {@link #parse} turns YAML
 * into a tree (syntax errors name line and column), {@link #validate} turns a tree into a {@link
 * GatewayConfig} and reports every problem at once, each with its field path and what is allowed. The
 * {@code admission} section is not interpreted here; it is handed on as written.
 *
 * <p>Stateless and thread-safe.
 */
public final class GatewayConfigReader {

    static final Set<String> TOP_LEVEL =
            Set.of("listen", "mode", "upstream", "limits", "workerThreads", "shutdown", "admin", "admission");
    static final Set<String> UPSTREAM = Set.of(
            "url", "hostHeader", "connectTimeout", "responseTimeout", "readTimeout", "idleTimeout", "maxConnections");
    static final Set<String> LIMITS = Set.of(
            "maxInitialLineLength",
            "maxHeaderSize",
            "maxChunkSize",
            "maxContentLength",
            "requestHeaderTimeout",
            "clientIdleTimeout",
            "requestBodyTimeout",
            "responseSendTimeout");
    static final Set<String> SHUTDOWN = Set.of("drainTimeout");
    static final Set<String> ADMIN = Set.of("listen", "tokenFile");

    /** Where clients connect when the file does not say. */
    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8080);

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Duration ONE_MILLI = Duration.ofMillis(1);

    private GatewayConfigReader() {}

    /** Reads, parses and validates a file. */
    public static GatewayConfig read(Path file) throws ConfigException {
        return validate(parse(file), file.toString());
    }

    /** Parses a file into a tree without validating it, e.g. to apply command-line overrides first. */
    public static ObjectNode parse(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("(file)", "cannot be read: " + e)));
        }
        return parse(text, file.toString());
    }

    /**
     * Parses YAML text into a tree. An empty document is an empty tree.
     *
     * @param source names the text in messages, e.g. the file name
     */
    public static ObjectNode parse(String yaml, String source) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "(document)" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(
                    source, List.of(new ConfigProblem(where, "not valid YAML: " + e.getOriginalMessage())));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(
                    source,
                    List.of(new ConfigProblem(
                            "(document)",
                            "must be a mapping of sections (" + String.join(", ", TOP_LEVEL) + "); got "
                                    + ConfigFields.describe(root))));
        }
        return (ObjectNode) root;
    }

    /** Reads and validates YAML text. */
    public static GatewayConfig read(String yaml, String source) throws ConfigException {
        return validate(parse(yaml, source), source);
    }

    /**
     * Validates a tree.
     *
     * @throws ConfigException listing every problem found, in document order
     */
    public static GatewayConfig validate(ObjectNode root, String source) throws ConfigException {
        ConfigFields f = new ConfigFields();
        f.rejectUnknown(root, "", TOP_LEVEL);

        HostPort listen = f.hostPort(root, "", "listen", DEFAULT_LISTEN);
        ProxyMode mode = f.choice(root, "", "mode", ProxyMode.class, ProxyMode.HTTP);
        int cores = Runtime.getRuntime().availableProcessors();
        int workerThreads = f.integer(root, "", "workerThreads", cores, 1, 1024);

        ObjectNode up = f.section(root, "", "upstream", UPSTREAM);
        Set<String> schemes = mode == ProxyMode.TCP ? Set.of("tcp") : Set.of("http");
        String example = mode == ProxyMode.TCP ? "tcp://127.0.0.1:6667" : "http://127.0.0.1:9000";
        URI url = f.url(up, "upstream", "url", schemes, example);
        UpstreamSettings upstream = new UpstreamSettings(
                url,
                f.choice(up, "upstream", "hostHeader", HostHeaderPolicy.class, HostHeaderPolicy.PRESERVE),
                f.duration(up, "upstream", "connectTimeout", UpstreamSettings.DEFAULT_CONNECT_TIMEOUT, ONE_MILLI),
                f.duration(up, "upstream", "responseTimeout", UpstreamSettings.DEFAULT_RESPONSE_TIMEOUT, ONE_MILLI),
                f.duration(up, "upstream", "readTimeout", UpstreamSettings.DEFAULT_READ_TIMEOUT, ONE_MILLI),
                f.duration(up, "upstream", "idleTimeout", UpstreamSettings.DEFAULT_IDLE_TIMEOUT, ONE_MILLI),
                f.integer(up, "upstream", "maxConnections", UpstreamSettings.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000));

        ObjectNode lim = f.section(root, "", "limits", LIMITS);
        LimitSettings d = LimitSettings.ofDefaults();
        LimitSettings limits = new LimitSettings(
                (int) f.size(lim, "limits", "maxInitialLineLength", d.maxInitialLineLength(), 256, 1 << 20, false),
                (int) f.size(lim, "limits", "maxHeaderSize", d.maxHeaderSize(), 1024, 1 << 20, false),
                (int) f.size(lim, "limits", "maxChunkSize", d.maxChunkSize(), 1024, 1 << 24, false),
                f.size(lim, "limits", "maxContentLength", d.maxContentLength(), 0, Long.MAX_VALUE, true),
                f.duration(lim, "limits", "requestHeaderTimeout", d.requestHeaderTimeout(), ONE_MILLI),
                f.duration(lim, "limits", "clientIdleTimeout", d.clientIdleTimeout(), ONE_MILLI),
                f.duration(lim, "limits", "requestBodyTimeout", d.requestBodyTimeout(), ONE_MILLI),
                f.duration(lim, "limits", "responseSendTimeout", d.responseSendTimeout(), ONE_MILLI));

        ObjectNode shutdown = f.section(root, "", "shutdown", SHUTDOWN);
        Duration drain =
                f.duration(shutdown, "shutdown", "drainTimeout", GatewayConfig.DEFAULT_DRAIN_TIMEOUT, Duration.ZERO);

        ObjectNode admin = f.section(root, "", "admin", ADMIN);
        Optional<HostPort> adminListen = Optional.ofNullable(f.hostPort(admin, "admin", "listen", null));
        Optional<Path> adminTokenFile = Optional.empty();
        if (admin != null && admin.hasNonNull("tokenFile")) {
            Path p = Path.of(admin.get("tokenFile").asText());
            if (!admin.get("tokenFile").isTextual() || !Files.isRegularFile(p) || !Files.isReadable(p)) {
                f.problem(
                        "admin.tokenFile",
                        "must name a readable file holding the admin token (or set READMIT_ADMIN_TOKEN); got '"
                                + admin.get("tokenFile").asText() + "'");
            } else {
                adminTokenFile = Optional.of(p);
            }
        }

        JsonNode admissionNode = root.get("admission");
        Optional<ObjectNode> admission = Optional.empty();
        if (admissionNode != null && !admissionNode.isNull()) {
            if (admissionNode.isObject()) {
                admission = Optional.of(((ObjectNode) admissionNode).deepCopy());
            } else {
                f.problem(
                        "admission",
                        "must be a mapping (see the admission reference); got " + ConfigFields.describe(admissionNode));
            }
        }

        List<ConfigProblem> problems = new ArrayList<>(f.problems());
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new GatewayConfig(
                listen, mode, upstream, limits, workerThreads, drain, adminListen, admission, adminTokenFile);
    }
}
