package dev.readmit.profiles.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the fields of one JSON object while validating them: each getter records a problem (line and
 * field path) instead of throwing, so that every problem of a profile is reported at once. {@link
 * #finish()} reports fields nobody asked for, with a "did you mean" hint. Not thread safe.
 */
final class JsonFields {
    private final ObjectNode node;
    private final String path;
    private final int line;
    private final String source;
    private final List<ProfileProblem> problems;
    private final Set<String> known = new TreeSet<>();

    JsonFields(JsonNode node, String path, int line, String source, List<ProfileProblem> problems) {
        this.node = (ObjectNode) node;
        this.path = path;
        this.line = line;
        this.source = source;
        this.problems = problems;
    }

    /** Wraps {@code value} if it is an object, else records a problem and returns null. */
    static JsonFields of(JsonNode value, String path, int line, String source, List<ProfileProblem> problems) {
        if (value == null || !value.isObject()) {
            problems.add(new ProfileProblem(source, line, path, "must be a JSON object, found " + describe(value)));
            return null;
        }
        return new JsonFields(value, path, line, source, problems);
    }

    /** Wraps an element of an array field, named {@code field} (e.g. {@code mix[2]}) in messages. */
    JsonFields element(JsonNode value, String field) {
        return of(value, path(field), line, source, problems);
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    void problem(String field, String reason) {
        problems.add(new ProfileProblem(source, line, path(field), reason));
    }

    boolean has(String field) {
        known.add(field);
        return node.hasNonNull(field);
    }

    JsonNode raw(String field) {
        known.add(field);
        return node.get(field);
    }

    String string(String field, String fallback, boolean required) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return fallback;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            problem(field, "must be a non-empty string, found " + describe(v));
            return fallback;
        }
        return v.asText();
    }

    String choice(String field, String fallback, String... allowed) {
        String v = string(field, null, fallback == null);
        if (v == null) {
            return fallback;
        }
        if (!Arrays.asList(allowed).contains(v)) {
            problem(field, quote(v) + " unknown (one of " + String.join(", ", allowed) + ")");
            return fallback;
        }
        return v;
    }

    double number(String field, double fallback, boolean required, double min, double max) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return fallback;
        }
        if (!v.isNumber()) {
            problem(field, "must be a number, found " + describe(v));
            return fallback;
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            problem(field, d + " out of range [" + fmt(min) + ", " + fmt(max) + "]");
            return fallback;
        }
        return d;
    }

    long integer(String field, long fallback, boolean required, long min, long max) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            problem(field, "must be an integer, found " + describe(v));
            return fallback;
        }
        long l = v.asLong();
        if (l < min || l > max) {
            problem(field, l + " out of range [" + min + ", " + max + "]");
            return fallback;
        }
        return l;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            problem(field, "must be true or false, found " + describe(v));
            return fallback;
        }
        return v.asBoolean();
    }

    JsonFields object(String field, boolean required) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return null;
        }
        return of(v, path(field), line, source, problems);
    }

    /** The elements of an array field; an empty list (and a problem) when it is not an array. */
    List<JsonNode> array(String field, boolean required) {
        JsonNode v = raw(field);
        List<JsonNode> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return out;
        }
        if (!v.isArray()) {
            problem(field, "must be an array, found " + describe(v));
            return out;
        }
        v.forEach(out::add);
        return out;
    }

    /**
     * A distribution: a bare number (constant) or {@code {"dist": ...}}. Bounds apply to the parameters
     * that are values of the distribution (min, max, mean, median...).
     */
    Distribution distribution(String field, boolean required, double maxValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, "is required");
            }
            return null;
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            if (!(d >= 0 && d <= maxValue)) {
                problem(field, d + " out of range [0, " + fmt(maxValue) + "]");
                return null;
            }
            return new Distribution.Const(d);
        }
        JsonFields o = of(v, path(field), line, source, problems);
        if (o == null) {
            return null;
        }
        int before = problems.size();
        String kind = o.choice("dist", null, "const", "uniform", "exponential", "normal", "lognormal");
        Distribution d = null;
        if (kind != null) {
            switch (kind) {
                case "const" -> d = new Distribution.Const(o.number("value", 0, true, 0, maxValue));
                case "uniform" -> {
                    double min = o.number("min", 0, true, 0, maxValue);
                    double max = o.number("max", 0, true, 0, maxValue);
                    if (min > max) {
                        o.problem("max", fmt(max) + " is below min " + fmt(min));
                    }
                    d = new Distribution.Uniform(min, max);
                }
                case "exponential" -> d = new Distribution.Exponential(
                        o.number("mean", 1, true, Double.MIN_VALUE, maxValue),
                        o.number("max", maxValue, false, 0, maxValue));
                case "normal" -> d = new Distribution.Normal(
                        o.number("mean", 0, true, 0, maxValue),
                        o.number("sd", 0, true, 0, maxValue),
                        o.number("min", 0, false, 0, maxValue));
                case "lognormal" -> {
                    double median = o.number("median", 1, true, Double.MIN_VALUE, maxValue);
                    double p99 = o.number("p99", median, true, Double.MIN_VALUE, maxValue);
                    if (p99 < median) {
                        o.problem("p99", fmt(p99) + " is below median " + fmt(median));
                    }
                    d = new Distribution.LogNormal(median, p99);
                }
                default -> throw new AssertionError(kind);
            }
        }
        o.finish();
        return problems.size() == before ? d : null;
    }

    /** Reports every field of the object that no getter asked for, except {@code x_*} extensions. */
    void finish() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name) && !name.startsWith("x_")) {
                String hint = closest(name);
                problem(
                        name,
                        "unknown field"
                                + (hint == null ? "" : " (did you mean " + quote(hint) + "?)")
                                + "; allowed: "
                                + String.join(", ", known)
                                + ", x_*");
            }
        }
    }

    private String closest(String name) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(name.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "nothing";
        }
        String text = v.toString();
        return v.getNodeType().name().toLowerCase(Locale.ROOT) + " "
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
