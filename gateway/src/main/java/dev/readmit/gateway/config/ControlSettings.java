package dev.readmit.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.ramp.RampShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The part of the {@code admission} section that steers admission-core: cohort salt, ramps, the
 * new-client rate, the health gate, the concurrency limit, the admitted set, the circuit breaker and
 * the ticket key. (Client keys, class rules, waiting and ticket transport are read by
 * {@code AdmissionSettings}.)
 *
 * @param salt the cohort hash salt: every instance with the same salt agrees on cohorts
 * @param defaultClass ramp settings of the default class
 * @param classRamps ramp settings of each configured class, in rule order
 * @param newClientsPerSecond the new-client rate, 0 to admit nobody new
 * @param burst how many new clients may be admitted at once after a quiet spell; default a tenth of a
 *     second of the rate (at least 1)
 * @param redHold how long the gate must stay red before a ramp steps back
 * @param health when the gate turns amber or red
 * @param concurrency the adaptive limit on requests in flight to the upstream
 * @param maxAdmittedClients the admitted set's size limit
 * @param admittedIdleTimeout how long an admitted client may stay idle before it must queue again
 * @param breaker the circuit breaker that stops all new admissions while the upstream fails
 * @param ticketKeyFile the HMAC key file for tickets, or empty for a random key made at start
 */
public record ControlSettings(
        String salt,
        ClassRamp defaultClass,
        List<ClassRamp> classRamps,
        double newClientsPerSecond,
        double burst,
        Duration redHold,
        HealthThresholds health,
        Concurrency concurrency,
        int maxAdmittedClients,
        Duration admittedIdleTimeout,
        Breaker breaker,
        Optional<Path> ticketKeyFile) {

    /** Fields this record reads directly in the {@code admission} section. */
    public static final Set<String> SECTION_FIELDS = Set.of(
            "salt",
            "openPercent",
            "ramp",
            "newClientsPerSecond",
            "burst",
            "redHold",
            "health",
            "concurrency",
            "admitted",
            "breaker",
            "ticketKeyFile");

    /** Fields this record reads in each entry of {@code admission.classes}. */
    public static final Set<String> CLASS_FIELDS = Set.of("alwaysOpen", "openPercent", "ramp");

    /** The default ramp: 5 % of cohorts, then 20 equal steps to 100 % over ten minutes of green time. */
    public static final RampShape DEFAULT_RAMP = new RampShape.Linear(0.05, 1.0, Duration.ofMinutes(10), 20);

    public ControlSettings {
        classRamps = List.copyOf(classRamps);
    }

    /**
     * The ramp of one class.
     *
     * @param alwaysOpen never ramped: every client of the class is admitted (for example restores)
     * @param initialFraction where the ramp starts, 0 to 1
     * @param shape how it grows while the gate is green
     */
    public record ClassRamp(boolean alwaysOpen, double initialFraction, RampShape shape) {}

    /** The limit algorithms. */
    public enum LimitAlgorithm {
        AIMD,
        GRADIENT,
        FIXED
    }

    /**
     * The concurrency limit on requests in flight to the upstream.
     *
     * @param algorithm how the limit adapts; default gradient (latency-aware, see {@code concurrency(...)})
     * @param initial where it starts
     * @param min never below
     * @param max never above
     * @param fullRateBelow new clients are admitted at the full configured rate while the smoothed
     *     share of the limit in use is below this, and ever fewer above it, none at the limit; 1.0
     *     admits at the full rate until the limit is reached. Default 0.75 (see {@code
     *     AdmissionController.Builder#fullRateBelowOccupancy})
     */
    public record Concurrency(LimitAlgorithm algorithm, int initial, int min, int max, double fullRateBelow) {}

    /**
     * The circuit breaker (Resilience4j) over upstream outcomes.
     *
     * @param failureRatePercent failure rate at which it opens
     * @param minimumCalls calls in the sliding window before it may open
     * @param slidingWindowCalls the window's size in calls
     * @param waitInOpen how long it stays open before trying again
     */
    public record Breaker(int failureRatePercent, int minimumCalls, int slidingWindowCalls, Duration waitInOpen) {}

    /**
     * Reads the settings from the {@code admission} section, adding every problem to {@code problems}.
     *
     * @param section the section, or null for the defaults
     * @param classCount how many configured classes (entries of {@code classes}) there are
     */
    public static ControlSettings read(ObjectNode section, List<ConfigProblem> problems) {
        ConfigFields fields = new ConfigFields();
        String root = "admission";
        ObjectNode s =
                section == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : section;

        String salt = s.hasNonNull("salt") ? s.get("salt").asText() : "readmit";
        if (s.hasNonNull("salt") && (!s.get("salt").isTextual() || salt.isBlank())) {
            fields.problem(root + ".salt", "must be a non-empty text; got " + ConfigFields.describe(s.get("salt")));
        }

        ClassRamp defaultClass = classRamp(fields, s, root, false);
        List<ClassRamp> classRamps = new ArrayList<>();
        JsonNode classes = s.get("classes");
        if (classes != null && classes.isArray()) {
            for (int i = 0; i < classes.size(); i++) {
                JsonNode entry = classes.get(i);
                String path = root + ".classes[" + i + "]";
                boolean alwaysOpen = bool(fields, entry, path, "alwaysOpen", false);
                classRamps.add(entry.isObject() ? classRamp(fields, entry, path, alwaysOpen) : defaultClass);
            }
        }

        double rate = number(fields, s, root, "newClientsPerSecond", 100, 0, 10_000_000);
        // A tenth of a second of the rate by default, not a whole second: every client admitted in a
        // burst sends its first request at once, and a second's worth of first requests at once filled
        // the concurrency limit, turned the gate amber and halved the rate (readmit bench storm, issue 6).
        double burst = number(fields, s, root, "burst", Math.max(1, rate / 10), 1, 10_000_000);
        Duration redHold = fields.duration(s, root, "redHold", Duration.ofSeconds(5), Duration.ofMillis(100));

        HealthThresholds health = health(fields, s, root);
        Concurrency concurrency = concurrency(fields, s, root);

        ObjectNode admitted = fields.section(s, root, "admitted", Set.of("maxClients", "idleTimeout"));
        int maxClients = fields.integer(admitted, root + ".admitted", "maxClients", 1_000_000, 1, 100_000_000);
        Duration idle = fields.duration(
                admitted, root + ".admitted", "idleTimeout", Duration.ofMinutes(30), Duration.ofSeconds(1));

        ObjectNode b = fields.section(
                s, root, "breaker", Set.of("failureRatePercent", "minimumCalls", "slidingWindowCalls", "waitInOpen"));
        String bp = root + ".breaker";
        Breaker breaker = new Breaker(
                fields.integer(b, bp, "failureRatePercent", 50, 1, 100),
                fields.integer(b, bp, "minimumCalls", 20, 1, 1_000_000),
                fields.integer(b, bp, "slidingWindowCalls", 100, 1, 1_000_000),
                fields.duration(b, bp, "waitInOpen", Duration.ofSeconds(10), Duration.ofMillis(100)));

        Optional<Path> keyFile = Optional.empty();
        if (s.hasNonNull("ticketKeyFile")) {
            Path p = Path.of(s.get("ticketKeyFile").asText());
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                fields.problem(
                        root + ".ticketKeyFile", "must name a readable file holding the ticket key; got '" + p + "'");
            } else {
                keyFile = Optional.of(p);
            }
        }
        problems.addAll(fields.problems());
        return new ControlSettings(
                salt,
                defaultClass,
                classRamps,
                rate,
                burst,
                redHold,
                health,
                concurrency,
                maxClients,
                idle,
                breaker,
                keyFile);
    }

    private static ClassRamp classRamp(ConfigFields fields, JsonNode node, String path, boolean alwaysOpen) {
        RampShape shape = ramp(fields, node.get("ramp"), path + ".ramp");
        double firstStep = shape.ladder().get(0).fraction();
        double open = number(fields, node, path, "openPercent", firstStep * 100, 0, 100) / 100.0;
        return new ClassRamp(alwaysOpen, open, shape);
    }

    private static RampShape ramp(ConfigFields fields, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return DEFAULT_RAMP;
        }
        String allowed = "must be one of {steps: [{percent: P, hold: D}, ...]}, {linear: {fromPercent: A,"
                + " toPercent: B, over: D, steps: N}} or {doubling: {startPercent: P, every: D}}";
        if (!node.isObject() || node.size() != 1) {
            fields.problem(path, allowed + "; got " + ConfigFields.describe(node));
            return DEFAULT_RAMP;
        }
        String kind = node.fieldNames().next();
        JsonNode body = node.get(kind);
        String bodyPath = path + "." + kind;
        try {
            switch (kind) {
                case "steps" -> {
                    if (!body.isArray() || body.isEmpty()) {
                        fields.problem(
                                bodyPath,
                                "must be a list of {percent: P, hold: D}; got " + ConfigFields.describe(body));
                        return DEFAULT_RAMP;
                    }
                    List<RampShape.Step> steps = new ArrayList<>();
                    for (int i = 0; i < body.size(); i++) {
                        JsonNode step = body.get(i);
                        String stepPath = bodyPath + "[" + i + "]";
                        if (!step.isObject()) {
                            fields.problem(
                                    stepPath, "must be {percent: P, hold: D}; got " + ConfigFields.describe(step));
                            return DEFAULT_RAMP;
                        }
                        fields.rejectUnknown((ObjectNode) step, stepPath, Set.of("percent", "hold"));
                        double percent = number(fields, step, stepPath, "percent", Double.NaN, 0, 100);
                        Duration hold = fields.duration(step, stepPath, "hold", Duration.ZERO, Duration.ZERO);
                        if (Double.isNaN(percent)) {
                            fields.problem(stepPath + ".percent", "is required: a number from 0 to 100");
                            return DEFAULT_RAMP;
                        }
                        steps.add(new RampShape.Step(percent / 100.0, hold));
                    }
                    return new RampShape.Steps(steps);
                }
                case "linear" -> {
                    fields.rejectUnknown(
                            asObject(fields, body, bodyPath),
                            bodyPath,
                            Set.of("fromPercent", "toPercent", "over", "steps"));
                    double from = number(fields, body, bodyPath, "fromPercent", 5, 0, 99.999);
                    double to = number(fields, body, bodyPath, "toPercent", 100, 0.001, 100);
                    Duration over =
                            fields.duration(body, bodyPath, "over", Duration.ofMinutes(10), Duration.ofSeconds(1));
                    int steps = fields.integer(body, bodyPath, "steps", RampShape.Linear.DEFAULT_STEPS, 1, 10_000);
                    return new RampShape.Linear(from / 100.0, to / 100.0, over, steps);
                }
                case "doubling" -> {
                    fields.rejectUnknown(asObject(fields, body, bodyPath), bodyPath, Set.of("startPercent", "every"));
                    double start = number(fields, body, bodyPath, "startPercent", 1, 0.001, 100);
                    Duration every =
                            fields.duration(body, bodyPath, "every", Duration.ofMinutes(2), Duration.ofSeconds(1));
                    return new RampShape.Doubling(start / 100.0, every);
                }
                default -> {
                    fields.problem(path + "." + kind, "unknown ramp shape; " + allowed);
                    return DEFAULT_RAMP;
                }
            }
        } catch (IllegalArgumentException e) {
            fields.problem(bodyPath, e.getMessage());
            return DEFAULT_RAMP;
        }
    }

    private static ObjectNode asObject(ConfigFields fields, JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            fields.problem(path, "must be a mapping; got " + ConfigFields.describe(node));
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        return (ObjectNode) node;
    }

    private static HealthThresholds health(ConfigFields fields, ObjectNode s, String root) {
        ObjectNode h = fields.section(
                s,
                root,
                "health",
                Set.of(
                        "window",
                        "minRequests",
                        "amberP99",
                        "redP99",
                        "amberErrorRate",
                        "redErrorRate",
                        "baselineP99",
                        "amberP99OverBaseline",
                        "redP99OverBaseline",
                        "recoveryHold",
                        "learnBaselineSamples"));
        String p = root + ".health";
        HealthThresholds d = HealthThresholds.ofDefaults();
        try {
            return HealthThresholds.builder()
                    .window(fields.duration(h, p, "window", d.window(), Duration.ofMillis(100)))
                    .minRequests(fields.integer(h, p, "minRequests", d.minRequests(), 1, 1_000_000))
                    .amberP99(fields.duration(h, p, "amberP99", d.amberP99(), Duration.ofMillis(1)))
                    .redP99(fields.duration(h, p, "redP99", d.redP99(), Duration.ofMillis(1)))
                    .amberErrorRate(number(fields, h, p, "amberErrorRate", d.amberErrorRate(), 0, 1))
                    .redErrorRate(number(fields, h, p, "redErrorRate", d.redErrorRate(), 0, 1))
                    .baselineP99(fields.duration(h, p, "baselineP99", d.baselineP99(), Duration.ZERO))
                    .amberP99OverBaseline(
                            number(fields, h, p, "amberP99OverBaseline", d.amberP99OverBaseline(), 1, 100))
                    .redP99OverBaseline(number(fields, h, p, "redP99OverBaseline", d.redP99OverBaseline(), 1, 100))
                    .recoveryHold(fields.duration(h, p, "recoveryHold", d.recoveryHold(), Duration.ZERO))
                    .learnBaselineSamples(fields.integer(
                            h,
                            p,
                            "learnBaselineSamples",
                            d.learnBaselineSamples(),
                            0,
                            HealthThresholds.MAX_LEARN_BASELINE_SAMPLES))
                    .build();
        } catch (IllegalArgumentException e) {
            fields.problem(p, e.getMessage());
            return d;
        }
    }

    private static Concurrency concurrency(ConfigFields fields, ObjectNode s, String root) {
        ObjectNode c =
                fields.section(s, root, "concurrency", Set.of("algorithm", "initial", "min", "max", "fullRateBelow"));
        String p = root + ".concurrency";
        // Gradient by default: AIMD only backs off on drops (errors, timeouts), so it finds the
        // upstream's limit by overloading it; the gradient backs off when latency rises over its
        // baseline, which is the first sign of queueing (measured by readmit bench storm, issue 6).
        LimitAlgorithm algorithm = LimitAlgorithm.GRADIENT;
        if (c.hasNonNull("algorithm")) {
            String text = c.get("algorithm").asText();
            switch (text) {
                case "aimd" -> algorithm = LimitAlgorithm.AIMD;
                case "gradient" -> algorithm = LimitAlgorithm.GRADIENT;
                case "fixed" -> algorithm = LimitAlgorithm.FIXED;
                default -> fields.problem(p + ".algorithm", "must be aimd, gradient or fixed; got '" + text + "'");
            }
        }
        int min = fields.integer(c, p, "min", 4, 1, 1_000_000);
        int max = fields.integer(c, p, "max", 1000, 1, 1_000_000);
        int initial = fields.integer(c, p, "initial", Math.min(max, Math.max(min, 20)), 1, 1_000_000);
        if (min > max) {
            fields.problem(p + ".min", "must not exceed max (" + max + "); got " + min);
        } else if (initial < min || initial > max) {
            fields.problem(p + ".initial", "must be between min (" + min + ") and max (" + max + "); got " + initial);
        }
        double fullRateBelow = number(
                fields,
                c,
                p,
                "fullRateBelow",
                dev.readmit.admission.AdmissionController.Builder.DEFAULT_FULL_RATE_BELOW_OCCUPANCY,
                0.01,
                1.0);
        return new Concurrency(algorithm, initial, min, max, fullRateBelow);
    }

    private static boolean bool(ConfigFields fields, JsonNode parent, String path, String field, boolean fallback) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            fields.problem(path + "." + field, "must be true or false; got " + ConfigFields.describe(node));
            return fallback;
        }
        return node.booleanValue();
    }

    private static double number(
            ConfigFields fields, JsonNode parent, String path, String field, double fallback, double min, double max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || !(node.doubleValue() >= min && node.doubleValue() <= max)) {
            fields.problem(
                    path + "." + field,
                    "must be a number from " + fmt(min) + " to " + fmt(max) + "; got " + ConfigFields.describe(node));
            return fallback;
        }
        return node.doubleValue();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
