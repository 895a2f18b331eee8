package dev.readmit.gateway.admit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.readmit.gateway.admit.AdmissionSettings.ClassRule;
import dev.readmit.gateway.admit.AdmissionSettings.KeyKind;
import dev.readmit.gateway.admit.AdmissionSettings.KeyRule;
import dev.readmit.gateway.admit.AdmissionSettings.Ticket;
import dev.readmit.gateway.admit.AdmissionSettings.Waiting;
import dev.readmit.gateway.admit.AdmissionSettings.WaitingMode;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.ControlSettings;
import dev.readmit.profiles.sim.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code admission} section, collecting every problem with its field path instead of
 * stopping at the first. One instance per parse; not thread safe.
 */
final class AdmissionSettingsParser {

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** This parser's fields plus those {@link ControlSettings} reads from the same section. */
    private static final Set<String> SECTION_FIELDS = union(
            Set.of("enabled", "clientKey", "trustedProxies", "classes", "defaultClass", "waiting", "ticket"),
            ControlSettings.SECTION_FIELDS);

    private static final Set<String> CLASS_FIELDS = union(Set.of("name", "match"), ControlSettings.CLASS_FIELDS);
    private static final Set<String> MATCH_FIELDS = Set.of("path", "methods", "header");
    private static final Set<String> HEADER_MATCH_FIELDS = Set.of("name", "value");
    private static final Set<String> WAITING_FIELDS =
            Set.of("mode", "maxQueue", "maxWait", "rejectStatus", "message", "retryAfterJitter", "closeFromRetryAfter");
    private static final Set<String> TICKET_FIELDS = Set.of("cookie", "header", "lifetime", "secure");
    private static final String KEY_RULES_ALLOWED =
            "allowed: {header: NAME}, {cookie: NAME}, {query: NAME}, authorization, ticket, source";

    /** Class names end up in metric labels and URLs of the admin API: keep them plain. */
    private static final Pattern CLASS_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** RFC 9110 token characters, for header, cookie and method names. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final List<ConfigProblem> problems;
    private final int problemsBefore;

    AdmissionSettingsParser(List<ConfigProblem> problems) {
        this.problems = problems;
        this.problemsBefore = problems.size();
    }

    AdmissionSettings parse(JsonNode section) {
        String path = AdmissionSettings.SECTION;
        if (section == null || section.isMissingNode() || section.isNull()) {
            return AdmissionSettings.ofDefaults();
        }
        if (!section.isObject()) {
            problem(path, "must be a mapping with " + SECTION_FIELDS);
            return null;
        }
        unknownFields(section, path, SECTION_FIELDS);
        boolean enabled = bool(section, path, "enabled", true);
        List<KeyRule> keyRules = keyRules(section.get("clientKey"), path + ".clientKey");
        List<Cidr> trusted = trustedProxies(section.get("trustedProxies"), path + ".trustedProxies");
        List<ClassRule> classes = classes(section.get("classes"), path + ".classes");
        String defaultClass = text(section, path, "defaultClass", AdmissionSettings.DEFAULT_CLASS);
        if (defaultClass != null) {
            className(defaultClass, path + ".defaultClass");
            for (ClassRule rule : classes) {
                if (rule.name().equals(defaultClass)) {
                    problem(
                            path + ".defaultClass",
                            "'" + defaultClass + "' is also the name of a class rule; the "
                                    + "default class must have a name of its own");
                }
            }
        }
        Waiting waiting = waiting(section.get("waiting"), path + ".waiting");
        Ticket ticket = ticket(section.get("ticket"), path + ".ticket");
        if (problems.size() > problemsBefore) {
            return null;
        }
        return new AdmissionSettings(enabled, keyRules, trusted, classes, defaultClass, waiting, ticket);
    }

    private List<KeyRule> keyRules(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return KeyRule.DEFAULT_CHAIN;
        }
        if (!node.isArray() || node.isEmpty()) {
            problem(path, "must be a non-empty list of rules tried in order; " + KEY_RULES_ALLOWED);
            return KeyRule.DEFAULT_CHAIN;
        }
        List<KeyRule> rules = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            KeyRule rule = keyRule(node.get(i), path + "[" + i + "]");
            if (rule != null) {
                if (rules.contains(rule)) {
                    problem(path + "[" + i + "]", "rule " + rule + " is listed twice");
                }
                rules.add(rule);
            }
        }
        return rules.isEmpty() ? KeyRule.DEFAULT_CHAIN : rules;
    }

    private KeyRule keyRule(JsonNode node, String path) {
        if (node.isTextual()) {
            KeyKind kind = kind(node.asText());
            if (kind == null || kind.named()) {
                problem(path, "unknown rule '" + node.asText() + "'; " + KEY_RULES_ALLOWED);
                return null;
            }
            return new KeyRule(kind, null);
        }
        if (node.isObject() && node.size() == 1) {
            String field = node.fieldNames().next();
            KeyKind kind = kind(field);
            JsonNode value = node.get(field);
            if (kind == null || !kind.named()) {
                problem(path + "." + field, "unknown rule; " + KEY_RULES_ALLOWED);
                return null;
            }
            if (!value.isTextual() || value.asText().isBlank()) {
                problem(path + "." + field, "must be a " + kind.label() + " name");
                return null;
            }
            String name = value.asText().trim();
            if (kind != KeyKind.QUERY && !TOKEN.matcher(name).matches()) {
                problem(
                        path + "." + field,
                        "'" + name + "' is not a valid " + kind.label() + " name (letters, digits, "
                                + "and !#$%&'*+.^_`|~-)");
                return null;
            }
            return new KeyRule(kind, name);
        }
        problem(path, "must be a rule name or a one-entry mapping; " + KEY_RULES_ALLOWED);
        return null;
    }

    private static KeyKind kind(String text) {
        for (KeyKind kind : KeyKind.values()) {
            if (kind.label().equals(text)) {
                return kind;
            }
        }
        return null;
    }

    private List<Cidr> trustedProxies(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problem(path, "must be a list of IP addresses or CIDR networks, e.g. [10.0.0.0/8, 127.0.0.1]");
            return List.of();
        }
        List<Cidr> cidrs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            if (!entry.isTextual()) {
                problem(path + "[" + i + "]", "must be an IP address or CIDR network such as 10.0.0.0/8");
                continue;
            }
            try {
                cidrs.add(Cidr.parse(entry.asText()));
            } catch (IllegalArgumentException e) {
                problem(path + "[" + i + "]", e.getMessage());
            }
        }
        return cidrs;
    }

    private List<ClassRule> classes(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problem(path, "must be a list of {name, match} rules, first match wins");
            return List.of();
        }
        List<ClassRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String rulePath = path + "[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                problem(rulePath, "must be a mapping with " + CLASS_FIELDS);
                continue;
            }
            unknownFields(entry, rulePath, CLASS_FIELDS);
            String name = text(entry, rulePath, "name", null);
            if (name == null) {
                problem(rulePath + ".name", "is required: the class name, e.g. restores");
            } else if (className(name, rulePath + ".name") && !names.add(name)) {
                problem(rulePath + ".name", "'" + name + "' names two classes; class names must be unique");
            }
            ClassRule rule = match(name, entry.get("match"), rulePath + ".match");
            if (rule != null && name != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private ClassRule match(String name, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return new ClassRule(String.valueOf(name), null, List.of(), null, null);
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping with " + MATCH_FIELDS);
            return null;
        }
        unknownFields(node, path, MATCH_FIELDS);
        String glob = text(node, path, "path", null);
        if (glob != null) {
            try {
                PathGlob.compile(glob);
            } catch (IllegalArgumentException e) {
                problem(path + ".path", e.getMessage());
            }
        }
        List<String> methods = methods(node.get("methods"), path + ".methods");
        String headerName = null;
        String headerValue = null;
        JsonNode header = node.get("header");
        if (header != null && !header.isNull()) {
            String headerPath = path + ".header";
            if (!header.isObject()) {
                problem(headerPath, "must be a mapping {name: HEADER, value: VALUE}");
            } else {
                unknownFields(header, headerPath, HEADER_MATCH_FIELDS);
                headerName = text(header, headerPath, "name", null);
                headerValue = text(header, headerPath, "value", null);
                if (headerName == null || !TOKEN.matcher(headerName).matches()) {
                    problem(headerPath + ".name", "is required: a header name such as X-Tier");
                }
                if (headerValue == null) {
                    problem(headerPath + ".value", "is required: the exact value, compared case-sensitively");
                }
            }
        }
        if (headerName == null || headerValue == null) {
            headerName = null;
            headerValue = null;
        }
        return new ClassRule(String.valueOf(name), glob, methods, headerName, headerValue);
    }

    private List<String> methods(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<JsonNode> entries = new ArrayList<>();
        if (node.isTextual()) {
            entries.add(node);
        } else if (node.isArray()) {
            node.forEach(entries::add);
        } else {
            problem(path, "must be a method or a list of methods, e.g. [GET, POST]");
            return List.of();
        }
        List<String> methods = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String entryPath = node.isArray() ? path + "[" + i + "]" : path;
            if (!entry.isTextual() || !TOKEN.matcher(entry.asText()).matches()) {
                problem(entryPath, "must be an HTTP method name such as GET, got " + entry);
                continue;
            }
            methods.add(entry.asText().toUpperCase(Locale.ROOT));
        }
        return methods;
    }

    private Waiting waiting(JsonNode node, String path) {
        Waiting defaults = Waiting.ofDefaults();
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping with " + WAITING_FIELDS);
            return defaults;
        }
        unknownFields(node, path, WAITING_FIELDS);
        WaitingMode mode = defaults.mode();
        String modeText = text(node, path, "mode", null);
        if (modeText != null) {
            if (modeText.equals("hold")) {
                mode = WaitingMode.HOLD;
            } else if (modeText.equals("respond")) {
                mode = WaitingMode.RESPOND;
            } else {
                problem(path + ".mode", "must be hold or respond, got '" + modeText + "'");
            }
        }
        int maxQueue = integer(node, path, "maxQueue", defaults.maxQueue(), 1, 10_000_000);
        Duration maxWait = duration(node, path, "maxWait", defaults.maxWait());
        int rejectStatus = integer(node, path, "rejectStatus", defaults.rejectStatus(), 0, 999);
        if (rejectStatus != 503 && rejectStatus != 429) {
            problem(path + ".rejectStatus", "must be 503 or 429, got " + rejectStatus);
        }
        String message = text(node, path, "message", defaults.message());
        double jitter = defaults.retryAfterJitter();
        JsonNode jitterNode = node.get("retryAfterJitter");
        if (jitterNode != null) {
            if (!jitterNode.isNumber() || jitterNode.asDouble() < 0 || jitterNode.asDouble() >= 1) {
                problem(path + ".retryAfterJitter", "must be a fraction in [0, 1) such as 0.1, got " + jitterNode);
            } else {
                jitter = jitterNode.asDouble();
            }
        }
        Duration closeFrom = duration(node, path, "closeFromRetryAfter", defaults.closeFromRetryAfter());
        return new Waiting(mode, maxQueue, maxWait, rejectStatus, message == null ? "" : message, jitter, closeFrom);
    }

    private Ticket ticket(JsonNode node, String path) {
        Ticket defaults = Ticket.ofDefaults();
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping with " + TICKET_FIELDS);
            return defaults;
        }
        unknownFields(node, path, TICKET_FIELDS);
        String cookie = text(node, path, "cookie", defaults.cookieName());
        if (cookie != null && !TOKEN.matcher(cookie).matches()) {
            problem(path + ".cookie", "'" + cookie + "' is not a valid cookie name (letters, digits, !#$%&'*+.^_`|~-)");
        }
        String header = text(node, path, "header", defaults.headerName());
        if (header != null && !TOKEN.matcher(header).matches()) {
            problem(path + ".header", "'" + header + "' is not a valid header name (letters, digits, !#$%&'*+.^_`|~-)");
        }
        Duration lifetime = duration(node, path, "lifetime", defaults.lifetime());
        boolean secure = bool(node, path, "secure", defaults.secure());
        return new Ticket(
                cookie == null ? defaults.cookieName() : cookie,
                header == null ? defaults.headerName() : header,
                lifetime,
                secure);
    }

    private boolean className(String name, String path) {
        if (!CLASS_NAME.matcher(name).matches()) {
            problem(
                    path,
                    "'" + name + "' is not a valid class name: lower-case letters, digits, _ and -, starting "
                            + "with a letter, at most 63 characters");
            return false;
        }
        return true;
    }

    private void unknownFields(JsonNode node, String path, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                problem(path + "." + field, "unknown field; allowed: " + String.join(", ", sorted(allowed)));
            }
        }
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    private String text(JsonNode parent, String path, String field, String fallback) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            problem(path + "." + field, "must be text, got " + node);
            return fallback;
        }
        return node.asText();
    }

    private boolean bool(JsonNode parent, String path, String field, boolean fallback) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            problem(path + "." + field, "must be true or false, got " + node);
            return fallback;
        }
        return node.booleanValue();
    }

    private int integer(JsonNode parent, String path, String field, int fallback, int min, int max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < min || node.intValue() > max) {
            problem(path + "." + field, "must be a whole number between " + min + " and " + max + ", got " + node);
            return fallback;
        }
        return node.intValue();
    }

    private Duration duration(JsonNode parent, String path, String field, Duration fallback) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        Duration parsed = null;
        if (node.isTextual()) {
            try {
                parsed = DurationText.parseOrIso(node.asText());
            } catch (IllegalArgumentException e) {
                // Reported below, with the field's path.
            }
        }
        if (parsed == null || parsed.isZero() || parsed.isNegative()) {
            problem(
                    path + "." + field,
                    "must be a positive duration such as 500ms, 1.5s, 5m, 24h, 7d or PT30S, got " + node);
            return fallback;
        }
        return parsed;
    }

    private void problem(String path, String message) {
        problems.add(new ConfigProblem(path, message));
    }
}
