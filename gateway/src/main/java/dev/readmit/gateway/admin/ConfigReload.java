package dev.readmit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.ControlSettings;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.control.AdmissionRuntime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code POST /config/reload}: reads the configuration again and applies what can change while the
 * gateway runs; everything else is named in the answer as needing a restart.
 *
 * <p>Changes live (each through {@link OperatorControls}, so each is logged and recorded): {@code
 * admission.newClientsPerSecond} and {@code admission.burst}, {@code admission.waiting.message}, and the
 * {@code openPercent} of the default class and of each class (the class's open fraction is set to it).
 * A live field is applied when it differs from the previously loaded file, so a reload that changes
 * nothing moves nothing (an operator's later {@code ctl open} is not undone by an unrelated reload).
 *
 * <p>Needs a restart: every other field. They are listed when they differ from the configuration the
 * gateway started with. A configuration with any problem is refused as a whole (400, with every
 * problem) and nothing changes.
 *
 * <p>Thread safe: reloads are serialised.
 */
public final class ConfigReload {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern LIVE = Pattern.compile(
            "admission\\.(newClientsPerSecond|burst|openPercent|waiting\\.message|classes\\[\\d+]\\.openPercent)");

    private final ConfigSource source;
    private final GatewayConfig started;
    private final OperatorControls controls;

    // Guarded by this: the configuration last loaded (at start, or by the last good reload).
    private GatewayConfig loaded;
    private AdmissionRuntime.Parsed loadedAdmission;

    /**
     * @param source where to read the configuration, or null when the gateway was started without a
     *     file (then reloads are refused with 409)
     * @param started the configuration the gateway runs with
     * @param controls the levers the live fields are applied through
     */
    public ConfigReload(ConfigSource source, GatewayConfig started, OperatorControls controls) {
        this.source = source;
        this.started = Objects.requireNonNull(started, "started");
        this.controls = controls;
        this.loaded = started;
        this.loadedAdmission = admission(started, new ArrayList<>());
    }

    /**
     * Reloads.
     *
     * @return {@code {"action":"reload", "who", "changed", "applied":[{"field","before","after"}],
     *     "needsRestart":[field paths]}}
     * @throws AdminException 409 without a source, 400 with {@code problems} when the file is refused
     */
    public synchronized ObjectNode reload(Operator op) throws AdminException {
        if (source == null) {
            throw new AdminException(409, "the gateway was started without --config FILE: there is no file to reload");
        }
        GatewayConfig next;
        try {
            next = source.read();
        } catch (ConfigException e) {
            throw refused(e.getMessage(), e.problems());
        }
        List<ConfigProblem> problems = new ArrayList<>();
        AdmissionRuntime.Parsed nextAdmission = admission(next, problems);
        if (!problems.isEmpty()) {
            throw refused(
                    "invalid configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ")",
                    problems);
        }

        ObjectNode answer = JSON.objectNode();
        answer.put("action", "reload");
        answer.put("who", op.who());
        ArrayNode applied = answer.putArray("applied");
        ArrayNode restart = answer.putArray("needsRestart");
        Set<String> needsRestart = restartFields(next);
        needsRestart.forEach(restart::add);

        AdmissionRuntime running = controls.admission();
        if (running != null && nextAdmission != null && loadedAdmission != null) {
            applyLive(op, nextAdmission, applied, needsRestart);
        }
        loaded = next;
        loadedAdmission = nextAdmission;
        answer.put("changed", !applied.isEmpty());
        controls.recordAction(
                op,
                "reload",
                "",
                applied.size() + " applied, " + restart.size() + " need a restart",
                restart.isEmpty() ? "" : "restart needed for " + String.join(", ", needsRestart));
        return answer;
    }

    private void applyLive(Operator op, AdmissionRuntime.Parsed next, ArrayNode applied, Set<String> needsRestart)
            throws AdminException {
        ControlSettings was = loadedAdmission.control();
        ControlSettings now = next.control();
        if (was.newClientsPerSecond() != now.newClientsPerSecond() || was.burst() != now.burst()) {
            ObjectNode r = controls.rate(op, now.newClientsPerSecond(), now.burst());
            appliedField(applied, "admission.newClientsPerSecond/burst", r);
        }
        String oldMessage = loadedAdmission.settings().waiting().message();
        String newMessage = next.settings().waiting().message();
        if (!oldMessage.equals(newMessage)) {
            appliedField(applied, "admission.waiting.message", controls.message(op, newMessage));
        }
        List<String> running = controls.classNames();
        if (!classNames(next).equals(running)) {
            return; // classes renamed, added or removed: restartFields names them
        }
        for (int i = 0; i < running.size(); i++) {
            double before = initialFraction(loadedAdmission.control(), i, running.size());
            double after = initialFraction(now, i, running.size());
            boolean alwaysOpen = ramp(now, i, running.size()).alwaysOpen();
            if (before != after && !alwaysOpen) {
                String field =
                        i == running.size() - 1 ? "admission.openPercent" : "admission.classes[" + i + "].openPercent";
                if (needsRestart.contains(field)) {
                    continue;
                }
                appliedField(applied, field, controls.open(op, running.get(i), after * 100));
            }
        }
    }

    private static ControlSettings.ClassRamp ramp(ControlSettings c, int index, int count) {
        if (index == count - 1) {
            return c.defaultClass();
        }
        return index < c.classRamps().size() ? c.classRamps().get(index) : c.defaultClass();
    }

    private static double initialFraction(ControlSettings c, int index, int count) {
        return ramp(c, index, count).initialFraction();
    }

    private static List<String> classNames(AdmissionRuntime.Parsed p) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < p.settings().classCount(); i++) {
            names.add(p.settings().className(i));
        }
        return names;
    }

    private static void appliedField(ArrayNode applied, String field, ObjectNode result) {
        ObjectNode a = applied.addObject();
        a.put("field", field);
        a.set("before", result.get("before") == null ? NullNode.getInstance() : result.get("before"));
        a.set("after", result.get("after") == null ? NullNode.getInstance() : result.get("after"));
    }

    /** Fields that differ from the configuration the gateway started with and cannot change live. */
    private Set<String> restartFields(GatewayConfig next) {
        Set<String> fields = new TreeSet<>();
        if (!started.listen().equals(next.listen())) {
            fields.add("listen");
        }
        if (started.mode() != next.mode()) {
            fields.add("mode");
        }
        if (!started.upstream().equals(next.upstream())) {
            fields.add("upstream");
        }
        if (!started.limits().equals(next.limits())) {
            fields.add("limits");
        }
        if (started.workerThreads() != next.workerThreads()) {
            fields.add("workerThreads");
        }
        if (!started.drainTimeout().equals(next.drainTimeout())) {
            fields.add("shutdown.drainTimeout");
        }
        if (!started.adminListen().equals(next.adminListen())) {
            fields.add("admin.listen");
        }
        if (!started.adminTokenFile().equals(next.adminTokenFile())) {
            fields.add("admin.tokenFile");
        }
        JsonNode before = started.admission().map(JsonNode.class::cast).orElse(NullNode.getInstance());
        JsonNode after = next.admission().map(JsonNode.class::cast).orElse(NullNode.getInstance());
        boolean wasOn = admissionOn(started);
        boolean isOn = admissionOn(next);
        if (wasOn != isOn) {
            fields.add("admission");
        } else {
            diff("admission", before, after, fields);
        }
        if (wasOn && isOn && !classNames(admission(next, new ArrayList<>())).equals(controls.classNames())) {
            fields.add("admission.classes");
        }
        return fields;
    }

    private static boolean admissionOn(GatewayConfig c) {
        AdmissionRuntime.Parsed p = admission(c, new ArrayList<>());
        return p != null && p.settings().enabled();
    }

    /** Adds the paths where {@code a} and {@code b} differ, except live fields. */
    private static void diff(String path, JsonNode a, JsonNode b, Set<String> out) {
        if (LIVE.matcher(path).matches()) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(path + "." + name, a.get(name), b.get(name), out);
            }
            return;
        }
        if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            for (int i = 0; ia.hasNext(); i++) {
                diff(path + "[" + i + "]", ia.next(), ib.next(), out);
            }
            return;
        }
        if (!Objects.equals(normal(a), normal(b))) {
            out.add(path);
        }
    }

    private static JsonNode normal(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    private static AdmissionRuntime.Parsed admission(GatewayConfig config, List<ConfigProblem> problems) {
        return config.admission().map(s -> AdmissionRuntime.parse(s, problems)).orElse(null);
    }

    private static AdminException refused(String message, List<ConfigProblem> problems) {
        ObjectNode details = JSON.objectNode();
        ArrayNode list = details.putArray("problems");
        for (ConfigProblem p : problems) {
            ObjectNode o = list.addObject();
            o.put("field", p.path());
            o.put("problem", p.message());
        }
        return new AdminException(
                400, "the configuration was refused; the running configuration stays: " + message, details);
    }
}
