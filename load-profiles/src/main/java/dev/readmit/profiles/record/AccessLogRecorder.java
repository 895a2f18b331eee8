package dev.readmit.profiles.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileKind;
import dev.readmit.profiles.format.RecordedEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a web server access log into a recorded profile. Malformed lines are counted, remembered with
 * their line number and reason, and skipped: one bad line never stops the recorder.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>Intended send time: the request's start. JSON lines give {@code msec - rt} (nginx logs at the
 *       end of a request). Text formats give a one-second timestamp (minus the trailing request time if
 *       logged); the requests of one second are then spread at seeded uniform offsets inside it, kept in
 *       file order, and the header says {@code time_resolution_ms: 1000}. Without this spreading every
 *       second would replay as one microburst.
 *   <li>Events are sorted by start time (a stable sort, so per-client order of equal times is kept);
 *       the whole log is held in memory.
 *   <li>Client key, first available: the logged client key, the authenticated user, the first {@code
 *       X-Forwarded-For} hop, else address + user agent. Written as {@code c:} + 12 hex digits of an
 *       HMAC-SHA256 under a salt that is not written, unless raw keys are asked for.
 *   <li>Class: the first {@code class=regex} rule whose regex finds a match in the path.
 * </ul>
 *
 * <p>Instances are immutable and thread safe.
 */
public final class AccessLogRecorder {
    /** How many skipped lines are kept with their reason (all are counted). */
    public static final int MAX_REPORTED_MALFORMED = 1000;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final String COMMON_PART =
            "(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] \"(\\S+) (\\S+)(?: HTTP/[0-9.]+)?\" (\\d{3}) (\\d+|-)";
    private static final Pattern COMMON = Pattern.compile("^" + COMMON_PART + "(?: (\\d+(?:\\.\\d+)?))?\\s*$");
    private static final Pattern COMBINED = Pattern.compile(
            "^" + COMMON_PART + " \"((?:[^\"\\\\]|\\\\.)*)\" \"((?:[^\"\\\\]|\\\\.)*)\"(?: (\\d+(?:\\.\\d+)?))?\\s*$");
    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private final AccessLogFormat format;
    private final String name;
    private final long seed;
    private final byte[] salt;
    private final boolean rawKeys;
    private final Map<String, Pattern> classRules;

    /**
     * @param format log format
     * @param name profile name
     * @param seed seed of the sub-second spreading, written to the profile
     * @param salt HMAC key of client keys; never written
     * @param rawKeys write client keys as they are (lab logs only: they may be personal data)
     * @param classRules class name to path regex, tried in order
     */
    public AccessLogRecorder(
            AccessLogFormat format,
            String name,
            long seed,
            byte[] salt,
            boolean rawKeys,
            Map<String, Pattern> classRules) {
        this.format = Objects.requireNonNull(format, "format");
        this.name = Objects.requireNonNull(name, "name");
        this.seed = seed;
        this.salt = salt.clone();
        this.rawKeys = rawKeys;
        this.classRules = new LinkedHashMap<>(classRules);
        if (!rawKeys && salt.length == 0) {
            throw new IllegalArgumentException("salt must not be empty when keys are hashed");
        }
    }

    /** One parsed line before sorting: start in ms since the epoch, or in whole seconds for text formats. */
    private record Parsed(
            long line,
            double startMillis,
            String rawKey,
            String method,
            String path,
            long reqBytes,
            int status,
            long respBytes,
            double origMillis) {}

    /**
     * Reads the whole log from {@code in} (not closed).
     *
     * @param sourceName the log's file name, written to the profile's {@code source}
     * @throws IOException if reading fails (a bad line is never an exception)
     */
    public Recording record(BufferedReader in, String sourceName) throws IOException {
        List<Parsed> parsed = new ArrayList<>();
        List<MalformedLine> malformed = new ArrayList<>();
        long malformedCount = 0;
        long lineNumber = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                parsed.add(format == AccessLogFormat.JSON ? parseJson(line, lineNumber) : parseText(line, lineNumber));
            } catch (BadLine e) {
                malformedCount++;
                if (malformed.size() < MAX_REPORTED_MALFORMED) {
                    malformed.add(new MalformedLine(lineNumber, e.getMessage()));
                }
            }
        }
        boolean secondResolution = format != AccessLogFormat.JSON;
        if (secondResolution) {
            spreadInsideSeconds(parsed);
        }
        parsed.sort(Comparator.comparingDouble(Parsed::startMillis));
        double origin = parsed.isEmpty() ? 0 : parsed.get(0).startMillis();
        List<RecordedEvent> events = new ArrayList<>(parsed.size());
        Set<String> clients = new HashSet<>();
        Map<String, String> keys = new LinkedHashMap<>();
        for (Parsed p : parsed) {
            String key = keys.computeIfAbsent(p.rawKey(), this::clientKey);
            clients.add(key);
            // Microsecond precision, as written: the profile reads back equal to what was recorded.
            double t = Math.round((p.startMillis() - origin) * 1000) / 1000.0;
            events.add(new RecordedEvent(
                    t,
                    key,
                    p.method(),
                    p.path(),
                    p.reqBytes(),
                    p.status(),
                    p.respBytes(),
                    p.origMillis(),
                    classOf(p.path())));
        }
        ObjectNode source = MAPPER.createObjectNode();
        source.put("file", sourceName);
        source.put("log_format", format.name().toLowerCase(Locale.ROOT));
        source.put("lines", lineNumber);
        source.put("malformed", malformedCount);
        source.put("recorder", "readmit profile record");
        Map<String, Object> extra = new LinkedHashMap<>();
        if (!parsed.isEmpty()) {
            extra.put("start", Instant.ofEpochMilli(Math.round(origin)).toString());
        }
        extra.put("time_resolution_ms", secondResolution ? 1000 : 1);
        double duration = events.isEmpty() ? 0 : events.get(events.size() - 1).timeMillis();
        Profile profile = new Profile(
                name,
                "",
                ProfileKind.RECORDED,
                source.toString(),
                seed,
                ClientKeyPlacement.DEFAULT,
                ConnectionMode.PER_CLIENT,
                "default",
                OnReject.DEFAULT,
                duration,
                List.of(),
                events,
                extra);
        return new Recording(profile, lineNumber, malformedCount, malformed);
    }

    private Parsed parseText(String line, long n) throws BadLine {
        Matcher m = (format == AccessLogFormat.COMBINED ? COMBINED : COMMON).matcher(line);
        if (!m.matches()) {
            throw new BadLine("does not match the " + format.name().toLowerCase(Locale.ROOT) + " log format");
        }
        long epochSecond;
        try {
            epochSecond = ZonedDateTime.parse(m.group(4), CLF_TIME).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw new BadLine("unparsable time \"" + m.group(4) + "\" (expected dd/MMM/yyyy:HH:mm:ss +zzzz)");
        }
        String method = method(m.group(5));
        String path = path(m.group(6));
        int status = status(m.group(7));
        long bytes = "-".equals(m.group(8)) ? 0 : Long.parseLong(m.group(8));
        String rtText = format == AccessLogFormat.COMBINED ? m.group(11) : m.group(9);
        double rtMillis = rtText == null ? -1 : Double.parseDouble(rtText) * 1000;
        String user = m.group(3);
        String ua = format == AccessLogFormat.COMBINED ? m.group(10) : "";
        String key = !"-".equals(user) ? "user:" + user : "addr:" + m.group(1) + " " + ua;
        // Whole seconds for now; spreadInsideSeconds places each request inside its second.
        double start = epochSecond * 1000.0 - (rtMillis > 0 ? Math.floor(rtMillis / 1000) * 1000 : 0);
        return new Parsed(n, start, key, method, path, 0, status, bytes, rtMillis);
    }

    private Parsed parseJson(String line, long n) throws BadLine {
        JsonNode j;
        try {
            j = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadLine("not valid JSON: " + e.getOriginalMessage());
        }
        if (j == null || !j.isObject()) {
            throw new BadLine("not a JSON object");
        }
        double msec = number(j, "msec", true);
        double rt = Math.max(0, number(j, "rt", false));
        String method = method(text(j, "m", true));
        String path = path(text(j, "u", true));
        JsonNode s = j.get("s");
        int status = status(s == null ? null : s.asText());
        long reqBytes = (long) Math.max(0, number(j, "rl", false));
        long respBytes = (long) number(j, "bbs", false);
        String key = text(j, "key", false);
        String xff = text(j, "xff", false);
        String clientKey;
        if (!key.isEmpty() && !"-".equals(key)) {
            clientKey = "key:" + key;
        } else if (!xff.isEmpty() && !"-".equals(xff)) {
            clientKey = "addr:" + xff.split(",")[0].trim();
        } else {
            clientKey = "addr:" + text(j, "ip", false) + " " + text(j, "ua", false);
        }
        boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        return new Parsed(
                n,
                msec * 1000 - rt * 1000,
                clientKey,
                method,
                path,
                hasBody ? reqBytes : 0,
                status,
                respBytes < 0 ? -1 : respBytes,
                j.has("rt") ? rt * 1000 : -1);
    }

    private void spreadInsideSeconds(List<Parsed> parsed) {
        Map<Double, List<Integer>> bySecond = new LinkedHashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
            bySecond.computeIfAbsent(parsed.get(i).startMillis(), k -> new ArrayList<>())
                    .add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (Map.Entry<Double, List<Integer>> second : bySecond.entrySet()) {
            List<Integer> indices = second.getValue();
            double[] offsets = new double[indices.size()];
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] = Math.floor(random.nextDouble() * 1_000_000) / 1000.0;
            }
            java.util.Arrays.sort(offsets);
            for (int k = 0; k < offsets.length; k++) {
                int i = indices.get(k);
                Parsed p = parsed.get(i);
                parsed.set(
                        i,
                        new Parsed(
                                p.line(),
                                p.startMillis() + offsets[k],
                                p.rawKey(),
                                p.method(),
                                p.path(),
                                p.reqBytes(),
                                p.status(),
                                p.respBytes(),
                                p.origMillis()));
            }
        }
    }

    private String clientKey(String raw) {
        if (rawKeys) {
            return raw.substring(raw.indexOf(':') + 1);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] digest = mac.doFinal(raw.getBytes(StandardCharsets.UTF_8));
            return "c:" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    private String classOf(String path) {
        for (Map.Entry<String, Pattern> rule : classRules.entrySet()) {
            if (rule.getValue().matcher(path).find()) {
                return rule.getKey();
            }
        }
        return null;
    }

    private static String method(String m) throws BadLine {
        if (m == null || !METHODS.contains(m)) {
            throw new BadLine("unknown method \"" + m + "\" (one of "
                    + String.join(", ", new java.util.TreeSet<>(METHODS)) + ")");
        }
        return m;
    }

    private static String path(String p) throws BadLine {
        if (p == null || !p.startsWith("/")) {
            throw new BadLine("request target \"" + p + "\" is not a path starting with /");
        }
        return p;
    }

    private static int status(String s) throws BadLine {
        try {
            int status = Integer.parseInt(s);
            if (status >= 100 && status <= 599) {
                return status;
            }
        } catch (NumberFormatException e) {
            // reported below with the value
        }
        throw new BadLine("status \"" + s + "\" is not a number in [100, 599]");
    }

    private static double number(JsonNode j, String field, boolean required) throws BadLine {
        JsonNode v = j.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().equals("-"))) {
            if (required) {
                throw new BadLine("field \"" + field + "\" is missing");
            }
            return -1;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            throw new BadLine("field \"" + field + "\" is not a number: " + v);
        }
    }

    private static String text(JsonNode j, String field, boolean required) throws BadLine {
        JsonNode v = j.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BadLine("field \"" + field + "\" is missing");
            }
            return "";
        }
        return v.asText();
    }

    /** A line that cannot be recorded; caught per line, never escapes {@link #record}. */
    private static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String reason) {
            super(reason, null, false, false);
        }
    }
}
