package dev.readmit.profiles.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads and validates {@code readmit-profile/1} profiles.
 *
 * <p>A profile is a sequence of JSON values: the header object first, then (recorded profiles only) one
 * event object per line. Values are read one after another whatever their line breaks, so a modelled
 * (header-only) profile may be pretty-printed. Files ending in {@code .gz} are decompressed.
 *
 * <p>Every problem is collected with its line and field path and reported together in one {@link
 * ProfileException}; a JSON syntax error stops reading at its line. Stateless and thread safe.
 */
public final class ProfileReader {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");
    private static final double MAX_MILLIS = 7 * 24 * 3600_000.0;
    private static final double MAX_BYTES = 1L << 40;

    private ProfileReader() {}

    /** Reads a profile file ({@code .gz} decompressed). */
    public static Profile read(Path file) throws IOException, ProfileException {
        try (InputStream in = Files.newInputStream(file)) {
            InputStream body = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
            return read(new InputStreamReader(body, StandardCharsets.UTF_8), file.toString());
        }
    }

    /**
     * Reads a profile from {@code reader}, which is not closed.
     *
     * @param sourceName the name used in problem messages (file or resource name)
     */
    public static Profile read(Reader reader, String sourceName) throws IOException, ProfileException {
        List<ProfileProblem> problems = new ArrayList<>();
        Header header = null;
        List<RecordedEvent> events = new ArrayList<>();
        try (JsonParser parser = MAPPER.createParser(new BufferedReader(reader))) {
            double previousTime = 0;
            int previousLine = 0;
            while (nextToken(parser, sourceName, problems) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                JsonNode node;
                try {
                    node = MAPPER.readTree(parser);
                } catch (JsonProcessingException e) {
                    // Name the line where the broken value starts; the parser's position may be past it.
                    ProfileProblem p = syntax(sourceName, e);
                    problems.add(new ProfileProblem(
                            sourceName,
                            line,
                            "",
                            p.reason() + (p.line() != line ? " (noticed at line " + p.line() + ")" : "")));
                    break;
                }
                if (header == null) {
                    header = readHeader(node, line, sourceName, problems);
                    if (header == null) {
                        break;
                    }
                    continue;
                }
                if (header.kind == ProfileKind.MODELLED) {
                    problems.add(new ProfileProblem(
                            sourceName, line, "", "a modelled profile has no event lines (kind is \"modelled\")"));
                    break;
                }
                RecordedEvent event = readEvent(node, line, sourceName, problems);
                if (event != null) {
                    if (event.timeMillis() < previousTime) {
                        problems.add(new ProfileProblem(
                                sourceName,
                                line,
                                "t_ms",
                                JsonFields.fmt(event.timeMillis()) + " < previous " + JsonFields.fmt(previousTime)
                                        + " (line " + previousLine + "): events must be sorted by t_ms"));
                    }
                    previousTime = event.timeMillis();
                    previousLine = line;
                    events.add(event);
                }
                if (problems.size() > 100) {
                    break;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (header == null && problems.isEmpty()) {
            problems.add(new ProfileProblem(sourceName, 1, "", "empty: the first line must be the profile header"));
        }
        if (header != null && problems.isEmpty()) {
            header.checkTotals(events, sourceName, problems);
        }
        if (!problems.isEmpty()) {
            throw new ProfileException(problems);
        }
        return header.toProfile(events);
    }

    private static JsonToken nextToken(JsonParser parser, String sourceName, List<ProfileProblem> problems)
            throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            problems.add(syntax(sourceName, e));
            return null;
        }
    }

    private static ProfileProblem syntax(String sourceName, JsonProcessingException e) {
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        return new ProfileProblem(sourceName, line, "", "not valid JSON: " + e.getOriginalMessage());
    }

    private static Header readHeader(JsonNode node, int line, String src, List<ProfileProblem> problems) {
        JsonFields h = JsonFields.of(node, "", line, src, problems);
        if (h == null) {
            return null;
        }
        int before = problems.size();
        if (!"profile".equals(h.string("type", null, true))) {
            if (problems.size() == before) {
                h.problem("type", "the first line must be the header, with \"type\":\"profile\"");
            }
            return null;
        }
        String format = h.string("format", null, true);
        if (format != null && !Profile.FORMAT.equals(format)) {
            h.problem("format", JsonFields.quote(format) + " not supported (this reader reads " + Profile.FORMAT + ")");
            return null;
        }
        Header header = new Header();
        header.line = line;
        header.name = h.string("name", "unnamed", true);
        header.description = h.string("description", "", false);
        String kind = h.choice("kind", null, "recorded", "modelled");
        header.kind = "modelled".equals(kind) ? ProfileKind.MODELLED : ProfileKind.RECORDED;
        JsonNode source = h.raw("source");
        header.source = source == null ? "" : source.isTextual() ? source.asText() : source.toString();
        header.seed = h.integer("seed", 1, false, Long.MIN_VALUE, Long.MAX_VALUE);
        header.clientKey = readClientKey(h);
        header.connection = connectionMode(h, "connection");
        header.defaultClass = h.string("default_class", "default", false);
        header.onReject = readOnReject(h);
        header.durationMillis = h.number("duration_ms", -1, false, 0, MAX_MILLIS);
        header.clients = h.integer("clients", -1, false, 0, Long.MAX_VALUE);
        header.events = h.integer("events", -1, false, 0, Long.MAX_VALUE);
        for (String provenance : List.of("start", "time_resolution_ms")) {
            JsonNode v = h.raw(provenance);
            if (v != null) {
                header.extra.put(provenance, MAPPER.convertValue(v, Object.class));
            }
        }
        node.fieldNames().forEachRemaining(f -> {
            if (f.startsWith("x_")) {
                header.extra.put(f, MAPPER.convertValue(node.get(f), Object.class));
            }
        });
        if (header.kind == ProfileKind.MODELLED) {
            JsonFields model = h.object("model", true);
            if (model != null) {
                header.durationMillis = model.number("duration_ms", 0, true, 1, MAX_MILLIS);
                List<JsonNode> pops = model.array("populations", true);
                if (pops.isEmpty() && model.has("populations")) {
                    model.problem("populations", "must hold at least one population");
                }
                Set<String> names = new HashSet<>();
                for (int i = 0; i < pops.size(); i++) {
                    Population p = readPopulation(
                            pops.get(i),
                            model.path("populations[" + i + "]"),
                            line,
                            src,
                            problems,
                            header.defaultClass);
                    if (p != null && !names.add(p.name())) {
                        problems.add(new ProfileProblem(
                                src,
                                line,
                                model.path("populations[" + i + "].name"),
                                "duplicate population name " + JsonFields.quote(p.name())));
                    }
                    if (p != null) {
                        header.populations.add(p);
                    }
                }
                model.finish();
            }
            for (String recordedOnly : List.of("clients", "events")) {
                if (node.has(recordedOnly)) {
                    h.problem(
                            recordedOnly,
                            "only a recorded profile carries totals; a modelled one counts model.populations");
                }
            }
        } else if (h.has("model")) {
            h.problem("model", "only a modelled profile has a model (kind is \"recorded\")");
        }
        h.finish();
        return problems.size() == before ? header : null;
    }

    private static ClientKeyPlacement readClientKey(JsonFields h) {
        JsonFields k = h.object("client_key", false);
        if (k == null) {
            return ClientKeyPlacement.DEFAULT;
        }
        List<ClientKeyPlacement> found = new ArrayList<>();
        for (ClientKeyPlacement.Where where : ClientKeyPlacement.Where.values()) {
            String field = where.name().toLowerCase(java.util.Locale.ROOT);
            String name = k.string(field, null, false);
            if (name != null) {
                found.add(new ClientKeyPlacement(where, name));
            }
        }
        k.finish();
        if (found.size() != 1) {
            h.problem("client_key", "must name exactly one of header, cookie, query (found " + found.size() + ")");
            return ClientKeyPlacement.DEFAULT;
        }
        return found.get(0);
    }

    private static ConnectionMode connectionMode(JsonFields o, String field) {
        String c = o.choice(field, "per_client", "per_client", "shared", "per_request");
        return ConnectionMode.valueOf(c.toUpperCase(java.util.Locale.ROOT));
    }

    private static OnReject readOnReject(JsonFields h) {
        JsonFields r = h.object("on_reject", false);
        if (r == null) {
            return OnReject.DEFAULT;
        }
        double share = r.number("honour_retry_after", 1.0, false, 0, 1);
        RetryPolicy otherwise = new RetryPolicy.Immediate();
        JsonFields e = r.object("else", false);
        if (e != null) {
            String retry = e.choice("retry", null, "immediate", "backoff");
            if ("backoff".equals(retry)) {
                double base = e.number("base_ms", 500, true, 0, MAX_MILLIS);
                double cap = e.number("cap_ms", 30_000, true, 0, MAX_MILLIS);
                String jitter = e.choice("jitter", "full", "full", "equal", "none");
                otherwise = new RetryPolicy.Backoff(
                        base, cap, RetryPolicy.Jitter.valueOf(jitter.toUpperCase(java.util.Locale.ROOT)));
            }
            e.finish();
        }
        int maxAttempts = (int) r.integer("max_attempts", 50, false, 1, 1_000_000);
        boolean keepTicket = r.bool("keep_ticket", true);
        r.finish();
        return new OnReject(share, otherwise, maxAttempts, keepTicket);
    }

    private static Population readPopulation(
            JsonNode node, String path, int line, String src, List<ProfileProblem> problems, String defaultClass) {
        JsonFields p = JsonFields.of(node, path, line, src, problems);
        if (p == null) {
            return null;
        }
        int before = problems.size();
        String name = p.string("name", "?", true);
        String cls = p.string("class", defaultClass, false);
        int clients = (int) p.integer("clients", 0, true, 1, 10_000_000);
        String key = p.string("key", name + "-{i}", false);
        if (!key.contains("{i")) {
            p.problem("key", JsonFields.quote(key) + " must contain {i} (or {i:05}) so that keys differ");
        }
        Arrival arrival = readArrival(p.object("arrival", true));
        Session session = readSession(p.object("session", true));
        p.finish();
        if (problems.size() != before) {
            return null;
        }
        return new Population(name, cls, clients, key, arrival, session);
    }

    private static Arrival readArrival(JsonFields a) {
        if (a == null) {
            return null;
        }
        String process = a.choice("process", null, "at_once", "ramp", "poisson", "reconnect_storm");
        double at = a.number("at_ms", 0, false, 0, MAX_MILLIS);
        Arrival arrival = null;
        if (process != null) {
            arrival = switch (process) {
                case "at_once" -> new Arrival.AtOnce(
                        at,
                        a.number("window_ms", 0, false, 0, MAX_MILLIS),
                        "even".equals(a.choice("spread", "uniform", "uniform", "even")));
                case "ramp" -> new Arrival.Ramp(at, a.number("for_ms", 0, true, 1, MAX_MILLIS));
                case "poisson" -> new Arrival.Poisson(at, a.number("rate_per_s", 1, true, 1e-6, 1e7));
                case "reconnect_storm" -> new Arrival.ReconnectStorm(at, a.distribution("detect_ms", true, MAX_MILLIS));
                default -> throw new AssertionError(process);
            };
        }
        a.finish();
        return arrival;
    }

    private static Session readSession(JsonFields s) {
        if (s == null) {
            return null;
        }
        List<RequestTemplate> first = new ArrayList<>();
        List<JsonNode> firstNodes = s.array("first", false);
        for (int i = 0; i < firstNodes.size(); i++) {
            RequestTemplate t = readTemplate(firstNodes.get(i), s, "first[" + i + "]", false);
            if (t != null) {
                first.add(t);
            }
        }
        List<RequestTemplate> mix = new ArrayList<>();
        List<JsonNode> mixNodes = s.array("mix", false);
        for (int i = 0; i < mixNodes.size(); i++) {
            RequestTemplate t = readTemplate(mixNodes.get(i), s, "mix[" + i + "]", true);
            if (t != null) {
                mix.add(t);
            }
        }
        Distribution requests = s.distribution("requests", false, 1e7);
        Distribution think = s.distribution("think_ms", false, MAX_MILLIS);
        Distribution hold = s.distribution("hold_ms", false, MAX_MILLIS);
        Distribution rate = s.distribution("messages_per_min", false, 60_000);
        ConnectionMode connection = connectionMode(s, "connection");
        Transport transport = Transport.valueOf(
                s.choice("transport", "http", "http", "websocket", "tcp").toUpperCase(java.util.Locale.ROOT));
        boolean loop = s.has("requests");
        boolean longLived = s.has("hold_ms");
        if (loop == longLived) {
            s.problem(
                    "requests",
                    "give either requests (a request loop, with think_ms) or hold_ms (a long-lived"
                            + " connection, with messages_per_min), not " + (loop ? "both" : "neither"));
        } else if (loop && !s.has("think_ms")) {
            s.problem("think_ms", "is required with requests");
        } else if (longLived && !s.has("messages_per_min")) {
            s.problem("messages_per_min", "is required with hold_ms");
        } else if (longLived && s.has("think_ms")) {
            s.problem("think_ms", "not allowed with hold_ms: messages_per_min sets the gaps");
        }
        if (transport != Transport.HTTP && !longLived) {
            s.problem(
                    "transport",
                    JsonFields.quote(transport.label()) + " needs a long-lived session (hold_ms with"
                            + " messages_per_min); a request loop speaks http");
        } else if (transport != Transport.HTTP && connection != ConnectionMode.PER_CLIENT) {
            s.problem(
                    "transport",
                    JsonFields.quote(transport.label()) + " holds one connection per client: connection must be"
                            + " per_client (the default), not "
                            + connection.name().toLowerCase(java.util.Locale.ROOT));
        } else if (transport == Transport.WEBSOCKET && first.isEmpty()) {
            s.problem("transport", "\"websocket\" upgrades on the first request's path: first must hold a request");
        }
        if (mix.isEmpty() && !s.has("mix")) {
            s.problem("mix", "is required: the requests (or messages) the session sends");
        }
        s.finish();
        return new Session(first, requests, think, hold, rate, mix, connection, transport);
    }

    private static RequestTemplate readTemplate(JsonNode node, JsonFields parent, String field, boolean weighted) {
        JsonFields t = parent.element(node, field);
        if (t == null) {
            return null;
        }
        double weight = weighted ? t.number("weight", 1, false, Double.MIN_VALUE, 1e9) : 1;
        String method = t.string("method", "GET", false);
        if (!METHOD.matcher(method).matches()) {
            t.problem("method", JsonFields.quote(method) + " is not an HTTP method (upper-case letters)");
        }
        String path = t.string("path", "/", true);
        if (!path.startsWith("/")) {
            t.problem("path", JsonFields.quote(path) + " must start with /");
        }
        Distribution bytes = t.distribution("req_bytes", false, MAX_BYTES);
        t.finish();
        return new RequestTemplate(weight, method, path, bytes == null ? new Distribution.Const(0) : bytes);
    }

    private static RecordedEvent readEvent(JsonNode node, int line, String src, List<ProfileProblem> problems) {
        JsonFields e = JsonFields.of(node, "", line, src, problems);
        if (e == null) {
            return null;
        }
        int before = problems.size();
        double t = e.number("t_ms", 0, true, 0, MAX_MILLIS);
        String client = e.string("client", "?", true);
        String method = e.string("method", "GET", false);
        if (!METHOD.matcher(method).matches()) {
            e.problem("method", JsonFields.quote(method) + " is not an HTTP method (upper-case letters)");
        }
        String path = e.string("path", "/", true);
        if (!path.startsWith("/")) {
            e.problem("path", JsonFields.quote(path) + " must start with /");
        }
        long reqBytes = e.integer("req_bytes", 0, false, 0, (long) MAX_BYTES);
        int status = (int) e.integer("status", 0, false, 100, 599);
        long respBytes = e.integer("resp_bytes", -1, false, 0, Long.MAX_VALUE);
        double orig = e.number("orig_ms", -1, false, 0, MAX_MILLIS);
        String cls = e.string("class", null, false);
        e.finish();
        return problems.size() == before
                ? new RecordedEvent(t, client, method, path, reqBytes, status, respBytes, orig, cls)
                : null;
    }

    /** The header's fields while the events are read. */
    private static final class Header {
        int line;
        String name;
        String description;
        ProfileKind kind;
        String source;
        long seed;
        ClientKeyPlacement clientKey;
        ConnectionMode connection;
        String defaultClass;
        OnReject onReject;
        double durationMillis;
        long clients;
        long events;
        final Map<String, Object> extra = new LinkedHashMap<>();
        final List<Population> populations = new ArrayList<>();

        void checkTotals(List<RecordedEvent> recorded, String src, List<ProfileProblem> problems) {
            if (kind != ProfileKind.RECORDED) {
                return;
            }
            if (events >= 0 && events != recorded.size()) {
                problems.add(new ProfileProblem(
                        src, line, "events", "header says " + events + " events, the file holds " + recorded.size()));
            }
            long distinct =
                    recorded.stream().map(RecordedEvent::client).distinct().count();
            if (clients >= 0 && clients != distinct) {
                problems.add(new ProfileProblem(
                        src, line, "clients", "header says " + clients + " clients, the events name " + distinct));
            }
            double last =
                    recorded.isEmpty() ? 0 : recorded.get(recorded.size() - 1).timeMillis();
            if (durationMillis >= 0 && durationMillis < last) {
                problems.add(new ProfileProblem(
                        src,
                        line,
                        "duration_ms",
                        JsonFields.fmt(durationMillis) + " is before the last event at t_ms " + JsonFields.fmt(last)));
            }
            if (durationMillis < 0) {
                durationMillis = last;
            }
        }

        Profile toProfile(List<RecordedEvent> recorded) {
            return new Profile(
                    name,
                    description,
                    kind,
                    source,
                    seed,
                    clientKey,
                    connection,
                    defaultClass,
                    onReject,
                    durationMillis,
                    populations,
                    recorded,
                    extra);
        }
    }
}
