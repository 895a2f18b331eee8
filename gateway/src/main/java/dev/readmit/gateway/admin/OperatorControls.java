package dev.readmit.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.ramp.ClassRamp;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.gateway.control.AdmissionRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's levers: the ramp of one class or of all, the new-client rate, the message to
 * waiting clients. Each change is logged at INFO (who, from where, what, before and after) and
 * recorded in {@link AdminEvents}; a refused change throws {@link AdminException} and changes nothing.
 *
 * <p>Thread safe: ramp actions are serialised by the plan's control lock, the rate by the
 * controller, the message is an atomic swap.
 */
public final class OperatorControls {

    private static final Logger log = LoggerFactory.getLogger(OperatorControls.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A ramp action; each maps to one method of {@link ClassRamp}. */
    public enum RampAction {
        PAUSE,
        RESUME,
        ADVANCE,
        ROLLBACK;

        private final String label = name().toLowerCase(Locale.ROOT);

        public String label() {
            return label;
        }
    }

    /** The longest message to waiting clients accepted. */
    public static final int MAX_MESSAGE_CHARS = 1000;

    private final AdmissionRuntime admission;
    private final AdminEvents events;

    /** @param admission the running admission, or null when admission is off (every lever is refused) */
    public OperatorControls(AdmissionRuntime admission, AdminEvents events) {
        this.admission = admission;
        this.events = events;
    }

    /**
     * Applies a ramp action to one class, or to every ramped class when {@code className} is null.
     *
     * @return {@code {"action", "who", "changed", "classes": [{"name", "changed", "before", "after"}]}}
     */
    public ObjectNode ramp(Operator op, RampAction action, String className) throws AdminException {
        List<Integer> targets = targets(className);
        CohortPlan plan = admission.controller().plan();
        ObjectNode answer = answer(op, action.label());
        ArrayNode classes = answer.putArray("classes");
        boolean any = false;
        for (int index : targets) {
            ClassRamp ramp = plan.ramp(index);
            String before = describe(ramp);
            boolean changed =
                    switch (action) {
                        case PAUSE -> ramp.pause(op.who());
                        case RESUME -> ramp.resume(op.who());
                        case ADVANCE -> ramp.advance(op.who());
                        case ROLLBACK -> ramp.rollback(op.who());
                    };
            String after = describe(ramp);
            any |= changed;
            ObjectNode k = classes.addObject();
            k.put("name", ramp.name());
            k.put("changed", changed);
            k.put("before", before);
            k.put("after", after);
            changed(op, action.label(), ramp.name(), before, after, changed);
        }
        answer.put("changed", any);
        return answer;
    }

    /** Sets a class's open fraction, in percent from 0 to 100. */
    public ObjectNode open(Operator op, String className, double percent) throws AdminException {
        if (className == null || className.isBlank()) {
            throw new AdminException(400, "give the class: {\"class\": NAME, \"percent\": P}; classes: " + names());
        }
        if (!(percent >= 0 && percent <= 100)) {
            throw new AdminException(400, "percent must be a number from 0 to 100, got " + percent);
        }
        int index = targets(className).get(0);
        ClassRamp ramp = admission.controller().plan().ramp(index);
        String before = describe(ramp);
        boolean changed = ramp.setOpenFraction(percent / 100.0, op.who());
        String after = describe(ramp);
        changed(op, "open", ramp.name(), before, after, changed);
        ObjectNode answer = answer(op, "open");
        answer.put("changed", changed);
        answer.put("class", ramp.name());
        answer.put("before", before);
        answer.put("after", after);
        return answer;
    }

    /**
     * Sets the operator's new-client rate.
     *
     * @param burst the new burst, or null to keep the current one
     */
    public ObjectNode rate(Operator op, double perSecond, Double burst) throws AdminException {
        AdmissionController c = controller();
        double newBurst = burst == null ? c.operatorBurst() : burst;
        String before = rateText(c.operatorRate(), c.operatorBurst());
        try {
            c.setNewClientRate(perSecond, newBurst);
        } catch (IllegalArgumentException e) {
            throw new AdminException(400, "perSecond must be 0 or more and burst at least 1: " + e.getMessage());
        }
        String after = rateText(c.operatorRate(), c.operatorBurst());
        boolean changed = !before.equals(after);
        changed(op, "rate", "", before, after, changed);
        ObjectNode answer = answer(op, "rate");
        answer.put("changed", changed);
        answer.put("before", before);
        answer.put("after", after);
        answer.put("effectivePerSecond", c.effectiveRate());
        return answer;
    }

    /**
     * Sets the message shown to waiting clients; null or empty clears it.
     *
     * @param text plain text of at most {@value #MAX_MESSAGE_CHARS} characters
     */
    public ObjectNode message(Operator op, String text) throws AdminException {
        controller();
        if (text != null && text.length() > MAX_MESSAGE_CHARS) {
            throw new AdminException(
                    400,
                    "the message must be at most " + MAX_MESSAGE_CHARS + " characters (it is sent with every waiting"
                            + " answer); got " + text.length());
        }
        var responder = admission.gate().responder();
        String before = responder.message();
        responder.setMessage(text);
        String after = responder.message();
        boolean changed = !before.equals(after);
        changed(op, "message", "", quote(before), quote(after), changed);
        ObjectNode answer = answer(op, "message");
        answer.put("changed", changed);
        answer.put("before", before);
        answer.put("after", after);
        return answer;
    }

    /** The running admission's class names, in order; empty when admission is off. */
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        if (admission != null) {
            CohortPlan plan = admission.controller().plan();
            for (int i = 0; i < plan.classCount(); i++) {
                names.add(plan.className(i));
            }
        }
        return names;
    }

    AdmissionRuntime admission() {
        return admission;
    }

    private AdmissionController controller() throws AdminException {
        if (admission == null) {
            throw new AdminException(
                    409, "admission is off (no admission section in the config): there is nothing to steer");
        }
        return admission.controller();
    }

    /** The class named, which must be ramped; or every ramped class when {@code className} is null. */
    private List<Integer> targets(String className) throws AdminException {
        CohortPlan plan = controller().plan();
        List<Integer> targets = new ArrayList<>();
        if (className != null) {
            int index = plan.classIndex(className);
            if (index < 0) {
                throw new AdminException(400, "no class named '" + className + "'; classes: " + names());
            }
            if (plan.ramp(index).alwaysOpen()) {
                throw new AdminException(409, "class '" + className + "' is always open: it has no ramp to move");
            }
            targets.add(index);
            return targets;
        }
        for (int i = 0; i < plan.classCount(); i++) {
            if (!plan.ramp(i).alwaysOpen()) {
                targets.add(i);
            }
        }
        if (targets.isEmpty()) {
            throw new AdminException(409, "every class is always open: there is no ramp to move");
        }
        return targets;
    }

    private String names() {
        return String.join(", ", classNames());
    }

    private void changed(Operator op, String action, String className, String before, String after, boolean changed) {
        String what = className.isEmpty() ? action : action + " " + className;
        if (changed) {
            log.info("operator {} from {}: {}: {} -> {}", op.who(), op.from(), what, before, after);
        } else {
            log.info("operator {} from {}: {}: unchanged ({})", op.who(), op.from(), what, before);
        }
        events.record(
                AdminEvent.OPERATOR, op.who(), op.from(), action, className, before, after, changed ? "" : "unchanged");
    }

    /** Records an operator action that is not one of these levers (e.g. a config reload). */
    void recordAction(Operator op, String action, String before, String after, String detail) {
        log.info(
                "operator {} from {}: {}: {} -> {}{}",
                op.who(),
                op.from(),
                action,
                before,
                after,
                detail.isEmpty() ? "" : " (" + detail + ")");
        events.record(AdminEvent.OPERATOR, op.who(), op.from(), action, "", before, after, detail);
    }

    private static ObjectNode answer(Operator op, String action) {
        ObjectNode answer = JSON.objectNode();
        answer.put("action", action);
        answer.put("who", op.who());
        return answer;
    }

    static String describe(ClassRamp ramp) {
        return ramp.state().label() + " " + AdminEvents.percent(ramp.openFraction());
    }

    private static String rateText(double perSecond, double burst) {
        return String.format(Locale.ROOT, "%s/s burst %s", number(perSecond), number(burst));
    }

    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String quote(String s) {
        return s.isEmpty() ? "(none)" : "\"" + s + "\"";
    }
}
