package dev.readmit.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.profiles.sim.DurationText;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed fields out of a parsed YAML tree and collects every problem with its path instead of
 * stopping at the first, so one run of the gateway reports everything wrong with a file.
 *
 * <p>Each reader returns the default when the field is absent, and also when it is invalid (after
 * recording the problem), so reading can go on. Not thread-safe: one instance per read.
 */
final class ConfigFields {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    private final List<ConfigProblem> problems = new ArrayList<>();

    List<ConfigProblem> problems() {
        return problems;
    }

    void problem(String path, String message) {
        problems.add(new ConfigProblem(path, message));
    }

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /**
     * The mapping at {@code parent.field}, or an empty mapping when absent. Fields not in {@code allowed}
     * are reported as unknown, with the allowed names.
     */
    ObjectNode section(JsonNode parent, String parentPath, String field, Set<String> allowed) {
        JsonNode node = parent.get(field);
        String path = path(parentPath, field);
        if (node == null || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping of " + String.join(", ", sorted(allowed)) + "; got " + describe(node));
            return JsonNodeFactory.instance.objectNode();
        }
        rejectUnknown((ObjectNode) node, path, allowed);
        return (ObjectNode) node;
    }

    void rejectUnknown(ObjectNode node, String path, Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                problem(path(path, name), "unknown field; allowed here: " + String.join(", ", sorted(allowed)));
            }
        }
    }

    /** How a config duration may be written, for error messages: the dialect of {@link DurationText#parseOrIso}. */
    public static final String DURATION_FORMS = "must be a duration such as 250ms, 1.5s, 2m, 1h, 7d or PT30S";

    /** A duration field; the default when absent, a problem when malformed or below {@code min}. */
    Duration duration(JsonNode parent, String parentPath, String field, Duration defaultValue, Duration min) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        String path = path(parentPath, field);
        String allowed = DURATION_FORMS;
        if (!node.isTextual()) {
            problem(path, allowed + "; got " + describe(node) + (node.isNumber() ? " (add a unit)" : ""));
            return defaultValue;
        }
        Duration d;
        try {
            d = DurationText.parseOrIso(node.asText());
        } catch (IllegalArgumentException e) {
            problem(path, allowed + "; got '" + node.asText() + "'");
            return defaultValue;
        }
        if (d.compareTo(min) < 0) {
            problem(path, "must be at least " + render(min) + "; got '" + node.asText() + "'");
            return defaultValue;
        }
        return d;
    }

    int integer(JsonNode parent, String parentPath, String field, int defaultValue, int min, int max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        String path = path(parentPath, field);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(path, "must be a whole number from " + min + " to " + max + "; got " + describe(node));
            return defaultValue;
        }
        return node.intValue();
    }

    /** A byte count: a whole number, or one with a unit B, KiB, MiB or GiB; optionally the word unlimited. */
    long size(
            JsonNode parent,
            String parentPath,
            String field,
            long defaultValue,
            long min,
            long max,
            boolean unlimited) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        String path = path(parentPath, field);
        String allowed = "must be a size such as 8192, 16KiB, 1MiB or 1GiB"
                + (unlimited ? ", or unlimited" : "")
                + ", from " + min + " to " + max + " bytes";
        long bytes;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            bytes = node.longValue();
        } else if (node.isTextual() && unlimited && node.asText().trim().equals("unlimited")) {
            return Long.MAX_VALUE;
        } else if (node.isTextual()) {
            Matcher m = SIZE.matcher(node.asText().trim());
            if (!m.matches()) {
                problem(path, allowed + "; got '" + node.asText() + "'");
                return defaultValue;
            }
            int shift =
                    switch (m.group(2) == null ? "B" : m.group(2)) {
                        case "KiB" -> 10;
                        case "MiB" -> 20;
                        case "GiB" -> 30;
                        default -> 0;
                    };
            try {
                long base = Long.parseLong(m.group(1));
                bytes = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
            } catch (NumberFormatException e) {
                bytes = Long.MAX_VALUE;
            }
        } else {
            problem(path, allowed + "; got " + describe(node));
            return defaultValue;
        }
        if (bytes < min || bytes > max) {
            problem(path, allowed + "; got " + describe(node));
            return defaultValue;
        }
        return bytes;
    }

    <E extends Enum<E>> E choice(JsonNode parent, String parentPath, String field, Class<E> type, E defaultValue) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
            if (node.isTextual() && e.name().equalsIgnoreCase(node.asText().trim())) {
                return e;
            }
        }
        problem(path(parentPath, field), "must be one of " + String.join(", ", names) + "; got " + describe(node));
        return defaultValue;
    }

    HostPort hostPort(JsonNode parent, String parentPath, String field, HostPort defaultValue) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        String path = path(parentPath, field);
        if (!node.isTextual()) {
            problem(path, "must be HOST:PORT such as 127.0.0.1:8080; got " + describe(node));
            return defaultValue;
        }
        try {
            return HostPort.parse(node.asText().trim());
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage());
            return defaultValue;
        }
    }

    /** A URL with one of the given schemes, a host, and no path, query or user info; null when absent. */
    URI url(JsonNode parent, String parentPath, String field, Set<String> schemes, String example) {
        JsonNode node = parent.get(field);
        String path = path(parentPath, field);
        String allowed = "must be a URL such as " + example + " (scheme " + String.join(" or ", sorted(schemes))
                + ", a host, a port, no path)";
        if (node == null || node.isNull()) {
            problem(path, "is required; " + allowed);
            return null;
        }
        if (!node.isTextual()) {
            problem(path, allowed + "; got " + describe(node));
            return null;
        }
        String text = node.asText().trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problem(path, allowed + "; got '" + text + "' (" + e.getReason() + ")");
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean pathless = uri.getRawPath() == null
                || uri.getRawPath().isEmpty()
                || uri.getRawPath().equals("/");
        if (scheme == null
                || !schemes.contains(scheme)
                || uri.getHost() == null
                || !pathless
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null
                || ("tcp".equals(scheme) && uri.getPort() < 0)) {
            problem(path, allowed + "; got '" + text + "'");
            return null;
        }
        return uri;
    }

    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.toString();
    }

    static String render(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }
}
