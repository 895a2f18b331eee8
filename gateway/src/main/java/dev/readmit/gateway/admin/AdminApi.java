package dev.readmit.gateway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's routes, independent of the HTTP server that carries them: {@link #handle} maps one
 * {@link AdminRequest} to one {@link AdminResponse}.
 *
 * <p>Reading ({@code GET}, no token): {@code /} (the status page), {@code /status}, {@code /history},
 * {@code /events?limit=N}, {@code /metrics}, {@code /healthz}, {@code /readyz}. Changing ({@code POST},
 * {@code Authorization: Bearer TOKEN}): {@code /ramp/pause}, {@code /ramp/resume}, {@code
 * /ramp/advance}, {@code /ramp/rollback} (optional {@code {"class"}}), {@code /ramp/open} ({@code
 * {"class","percent"}}), {@code /rate} ({@code {"perSecond","burst"}}), {@code /message} ({@code
 * {"text"}}), {@code /config/reload}. Errors are JSON {@code {"error": ...}}: 400 for a bad body, 401
 * without the token (nothing changes), 404 for an unknown path, 405 for a wrong method, 409 when the
 * gateway's state refuses the change.
 *
 * <p>Thread safe; it may do blocking work (a config reload reads a file), so the server calls it off
 * its event loop.
 */
public final class AdminApi {

    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PAGE_RESOURCE = "/dev/readmit/gateway/admin/status.html";
    private static final String CHART_JS_VERSION = chartJsVersion();
    private static final String CHART_JS_RESOURCE =
            "/META-INF/resources/webjars/chart.js/" + CHART_JS_VERSION + "/dist/chart.umd.js";
    private static final int MAX_OPERATOR_NAME = 64;

    /** Paths served to {@code GET}. */
    static final Set<String> READS = Set.of(
            "/",
            "/index.html",
            "/assets/chart.umd.js",
            "/status",
            "/history",
            "/events",
            "/metrics",
            "/healthz",
            "/readyz");

    /** Paths served to {@code POST}. */
    static final Set<String> WRITES = Set.of(
            "/ramp/pause",
            "/ramp/resume",
            "/ramp/advance",
            "/ramp/rollback",
            "/ramp/open",
            "/rate",
            "/message",
            "/config/reload");

    private final StatusReport status;
    private final StatusHistory history;
    private final AdminEvents events;
    private final OperatorControls controls;
    private final ConfigReload reload;
    private final PrometheusMeterRegistry registry;
    private final AdminToken token;
    private final byte[] page;
    private final byte[] chartJs;

    public AdminApi(
            StatusReport status,
            StatusHistory history,
            AdminEvents events,
            OperatorControls controls,
            ConfigReload reload,
            PrometheusMeterRegistry registry,
            AdminToken token) {
        this.status = status;
        this.history = history;
        this.events = events;
        this.controls = controls;
        this.reload = reload;
        this.registry = registry;
        this.token = token;
        this.page = resource(PAGE_RESOURCE);
        this.chartJs = resource(CHART_JS_RESOURCE);
    }

    /** Answers one request; never throws for anything a client sends. */
    public AdminResponse handle(AdminRequest request) {
        String path = request.path();
        boolean read = READS.contains(path);
        boolean write = WRITES.contains(path);
        if (!read && !write) {
            return error(404, "no such path: " + path + "; see GET /status, or the admin API reference");
        }
        String allowed = read ? "GET, HEAD" : "POST";
        boolean methodOk = read
                ? request.method().equals("GET") || request.method().equals("HEAD")
                : request.method().equals("POST");
        if (!methodOk) {
            return error(405, path + " takes " + allowed + ", not " + request.method())
                    .withHeader("Allow", allowed);
        }
        try {
            return read ? read(request) : write(request);
        } catch (AdminException e) {
            ObjectNode body = MAPPER.createObjectNode();
            body.put("error", e.getMessage());
            if (e.details() != null) {
                body.setAll(e.details());
            }
            return json(e.status(), body);
        } catch (RuntimeException e) {
            log.error("admin request {} {} failed", request.method(), path, e);
            return error(500, "internal error: " + e);
        }
    }

    private AdminResponse read(AdminRequest request) throws AdminException {
        return switch (request.path()) {
            case "/", "/index.html" -> new AdminResponse(200, "text/html; charset=utf-8", page, Map.of());
            case "/assets/chart.umd.js" -> new AdminResponse(
                    200, "text/javascript; charset=utf-8", chartJs, Map.of("Cache-Control", "max-age=86400"));
            case "/status" -> json(200, status.status());
            case "/history" -> json(200, historyDocument());
            case "/events" -> json(200, eventsDocument(limit(request.query())));
            case "/metrics" -> new AdminResponse(
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8),
                    Map.of());
            case "/healthz" -> json(200, MAPPER.createObjectNode().put("status", "ok"));
            case "/readyz" -> {
                ObjectNode s = status.status();
                boolean ready = s.get("ready").asBoolean();
                ObjectNode body = MAPPER.createObjectNode()
                        .put("status", ready ? "ready" : s.get("draining").asBoolean() ? "draining" : "starting");
                yield json(ready ? 200 : 503, body);
            }
            default -> throw new IllegalStateException("unrouted read " + request.path());
        };
    }

    private AdminResponse write(AdminRequest request) throws AdminException {
        if (!token.configured()) {
            return error(
                            401,
                            "no admin token is configured: set " + AdminToken.ENV
                                    + " or admin.tokenFile and restart; nothing was changed")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"readmit\"");
        }
        if (!token.accepts(request.authorization())) {
            log.warn(
                    "admin {} {} from {} refused: missing or wrong token",
                    request.method(),
                    request.path(),
                    request.remote());
            return error(
                            401,
                            request.authorization() == null
                                    ? "this needs the admin token: Authorization: Bearer TOKEN; nothing was changed"
                                    : "wrong admin token; nothing was changed")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"readmit\"");
        }
        Operator op = new Operator(operatorName(request.operator()), request.remote());
        String path = request.path();
        ObjectNode body = body(request.body());
        ObjectNode answer =
                switch (path) {
                    case "/ramp/pause" -> ramp(op, OperatorControls.RampAction.PAUSE, body);
                    case "/ramp/resume" -> ramp(op, OperatorControls.RampAction.RESUME, body);
                    case "/ramp/advance" -> ramp(op, OperatorControls.RampAction.ADVANCE, body);
                    case "/ramp/rollback" -> ramp(op, OperatorControls.RampAction.ROLLBACK, body);
                    case "/ramp/open" -> {
                        allowOnly(body, "class", "percent");
                        yield controls.open(op, text(body, "class", true), number(body, "percent", true));
                    }
                    case "/rate" -> {
                        allowOnly(body, "perSecond", "burst");
                        Double burst = body.hasNonNull("burst") ? number(body, "burst", true) : null;
                        yield controls.rate(op, number(body, "perSecond", true), burst);
                    }
                    case "/message" -> {
                        allowOnly(body, "text");
                        if (!body.has("text")) {
                            throw new AdminException(
                                    400,
                                    "give {\"text\": \"...\"} to set the message, or {\"text\": null} to clear it");
                        }
                        yield controls.message(op, text(body, "text", false));
                    }
                    case "/config/reload" -> {
                        allowOnly(body);
                        if (reload == null) {
                            throw new AdminException(409, "config reload is not available in this gateway");
                        }
                        yield reload.reload(op);
                    }
                    default -> throw new IllegalStateException("unrouted write " + path);
                };
        return json(200, answer);
    }

    private ObjectNode ramp(Operator op, OperatorControls.RampAction action, ObjectNode body) throws AdminException {
        allowOnly(body, "class");
        return controls.ramp(op, action, text(body, "class", false));
    }

    private ObjectNode historyDocument() {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("intervalSeconds", 1);
        doc.put("capacity", history.capacity());
        doc.set("samples", MAPPER.valueToTree(history.samples()));
        return doc;
    }

    private ObjectNode eventsDocument(int limit) {
        ObjectNode doc = MAPPER.createObjectNode();
        ArrayNode list = doc.putArray("events");
        for (AdminEvent e : events.newestFirst(limit)) {
            ObjectNode o = MAPPER.valueToTree(e);
            o.put("at", java.time.Instant.ofEpochMilli(e.atMillis()).toString());
            list.add(o);
        }
        return doc;
    }

    private static int limit(String query) throws AdminException {
        if (query == null || query.isEmpty()) {
            return 100;
        }
        for (String part : query.split("&")) {
            if (part.startsWith("limit=")) {
                try {
                    int n = Integer.parseInt(part.substring("limit=".length()));
                    if (n >= 1) {
                        return n;
                    }
                } catch (NumberFormatException e) {
                    // answered below, with what is allowed
                }
                throw new AdminException(
                        400,
                        "limit must be a whole number of at least 1, got '" + part.substring("limit=".length()) + "'");
            }
        }
        return 100;
    }

    private static String operatorName(String header) {
        if (header == null || header.isBlank()) {
            return AdminToken.IDENTITY;
        }
        StringBuilder name = new StringBuilder();
        header.strip()
                .codePoints()
                .filter(c -> c >= 0x20 && c != 0x7f)
                .limit(MAX_OPERATOR_NAME)
                .forEach(name::appendCodePoint);
        return name.length() == 0 ? AdminToken.IDENTITY : name.toString();
    }

    private static ObjectNode body(String text) throws AdminException {
        if (text == null || text.isBlank()) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AdminException(400, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new AdminException(400, "the body must be a JSON object, e.g. {\"class\": \"everyone\"}");
        }
        return (ObjectNode) node;
    }

    private static void allowOnly(ObjectNode body, String... allowed) throws AdminException {
        List<String> names = List.of(allowed);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new AdminException(
                        400,
                        "unknown field '" + name + "'; allowed here: "
                                + (names.isEmpty() ? "none (send no body)" : String.join(", ", new TreeSet<>(names))));
            }
        }
    }

    private static String text(ObjectNode body, String field, boolean required) throws AdminException {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new AdminException(400, "'" + field + "' is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new AdminException(400, "'" + field + "' must be a text, got " + n);
        }
        return n.asText();
    }

    private static double number(ObjectNode body, String field, boolean required) throws AdminException {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new AdminException(400, "'" + field + "' is required (a number)");
            }
            return Double.NaN;
        }
        if (!n.isNumber()) {
            throw new AdminException(400, "'" + field + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static AdminResponse json(int status, JsonNode body) {
        try {
            return AdminResponse.json(status, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static AdminResponse error(int status, String message) {
        return json(status, MAPPER.createObjectNode().put("error", message));
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static String chartJsVersion() {
        String props = "/META-INF/maven/org.webjars.npm/chart.js/pom.properties";
        try (InputStream in = AdminApi.class.getResourceAsStream(props)) {
            if (in == null) {
                return "4.4.1"; // the parent POM's pin; the properties are gone when the jar was repackaged
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "4.4.1");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + props, e);
        }
    }
}
