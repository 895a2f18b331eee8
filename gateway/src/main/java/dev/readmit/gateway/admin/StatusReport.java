package dev.readmit.gateway.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.Decision;
import dev.readmit.admission.NanoClock;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.HealthSnapshot;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampStatus;
import dev.readmit.gateway.control.AdmissionRuntime;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Reads the running gateway's figures for {@code /status} and for the one-per-second samples of
 * {@code /history}.
 *
 * <p>{@link #status()} is safe from any thread. {@link #sample()} keeps the previous admission count
 * to compute a rate, so it is called from one thread at a time (it is synchronised).
 */
public final class StatusReport {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final double NANOS_PER_MILLI = 1e6;

    private final AdmissionRuntime admission;
    private final GatewayState gateway;
    private final NanoClock clock;
    private final InstantSource wall;

    // The latest sample, for the admission rate in /status; written by the sampler, read by any thread.
    private volatile StatusSample latest;

    // Guarded by this: the previous sample's count of newly admitted clients and its time.
    private long lastAdmitted = -1;
    private long lastNanos;

    /**
     * @param admission the running admission, or null when admission is off
     * @param gateway whether the gateway is ready and whether it is draining
     * @param clock the admission clock (for ramp timings and rates)
     * @param wall the wall clock (for timestamps)
     */
    public StatusReport(AdmissionRuntime admission, GatewayState gateway, NanoClock clock, InstantSource wall) {
        this.admission = admission;
        this.gateway = gateway;
        this.clock = clock;
        this.wall = wall;
    }

    /** What the admin API needs to know of the proxy itself. */
    public interface GatewayState {
        /** True once the gateway listens with its upstream resolved, until it starts draining. */
        boolean ready();

        /** True once shutdown has begun. */
        boolean draining();

        /** A gateway state for a gateway that has started; {@code draining} says when it stops. */
        static GatewayState started(BooleanSupplier draining) {
            return new GatewayState() {
                @Override
                public boolean ready() {
                    return !draining.getAsBoolean();
                }

                @Override
                public boolean draining() {
                    return draining.getAsBoolean();
                }
            };
        }
    }

    /** The {@code /status} document. */
    public ObjectNode status() {
        ObjectNode s = JSON.objectNode();
        s.put("time", Instant.ofEpochMilli(wall.millis()).toString());
        s.put("ready", gateway.ready());
        s.put("draining", gateway.draining());
        s.put("admission", admission == null ? "off" : "on");
        if (admission == null) {
            s.put("gate", "off");
            return s;
        }
        AdmissionController c = admission.controller();
        HealthSnapshot health = c.health().lastSnapshot();
        s.put("gate", health.colour().label());
        s.put("gateReason", health.reason());
        s.put("breaker", admission.breaker().getState().name().toLowerCase(java.util.Locale.ROOT));
        s.put("newAdmissionsStopped", c.newAdmissionsStopped());
        ArrayNode classes = s.putArray("classes");
        long now = clock.nanoTime();
        for (RampStatus r : c.plan().status(now)) {
            ObjectNode k = classes.addObject();
            k.put("name", r.className());
            k.put("alwaysOpen", r.alwaysOpen());
            k.put("state", r.state().label());
            k.put("openPercent", percent(r.openFraction()));
            k.put("nextPercent", percent(r.nextFraction()));
            if (r.nanosToNextStep() == Long.MAX_VALUE) {
                k.putNull("secondsToNextStep");
            } else {
                k.put("secondsToNextStep", Math.round(r.nanosToNextStep() / 1e7) / 100.0);
            }
        }
        s.put("admittedClients", c.admittedClients());
        s.put("waitingClients", waiting());
        s.put("heldRequests", admission.gate().waitingRoom().size());
        ObjectNode rate = s.putObject("newClientRate");
        rate.put("perSecond", c.operatorRate());
        rate.put("burst", c.operatorBurst());
        rate.put("effectivePerSecond", c.effectiveRate());
        StatusSample last = latest;
        rate.put("admittedPerSecond", last == null ? 0.0 : last.admissionsPerSecond());
        ConcurrencyLimiter limiter = c.limiter();
        ObjectNode concurrency = s.putObject("concurrency");
        if (limiter == null) {
            concurrency.putNull("limit");
            concurrency.putNull("inFlight");
        } else {
            concurrency.put("limit", limiter.limit());
            concurrency.put("inFlight", limiter.inFlight());
        }
        ObjectNode up = s.putObject("upstream");
        up.put("p50Millis", health.p50Nanos() / NANOS_PER_MILLI);
        up.put("p99Millis", health.p99Nanos() / NANOS_PER_MILLI);
        // What the gate judges p99 against: configured, or learnt from the upstream (0 while unknown).
        up.put("baselineP99Millis", c.health().baselineP99Nanos() / NANOS_PER_MILLI);
        up.put("errorRate", health.errorRate());
        up.put("requestsPerSecond", health.requestsPerSecond());
        up.put("windowSeconds", health.windowNanos() / 1e9);
        s.put("message", admission.gate().responder().message());
        return s;
    }

    /** Waiting clients: eligible clients in line plus requests held in the waiting room. */
    private long waiting() {
        return admission.controller().waitingClients()
                + admission.gate().waitingRoom().size();
    }

    /** Takes one sample for the history; the admission rate is over the time since the previous one. */
    public synchronized StatusSample sample() {
        long now = clock.nanoTime();
        long atMillis = wall.millis();
        if (admission == null) {
            return new StatusSample(atMillis, Map.of(), 0, 0, 0, 0, 0, 0, "off");
        }
        AdmissionController c = admission.controller();
        CohortPlan plan = c.plan();
        Map<String, Double> open = new LinkedHashMap<>();
        long newlyAdmitted = 0;
        for (int i = 0; i < plan.classCount(); i++) {
            open.put(plan.className(i), percent(plan.ramp(i).openFraction()));
            newlyAdmitted += c.counters().admits(i, Decision.Admit.NEWLY_ADMITTED);
        }
        double perSecond = 0;
        if (lastAdmitted >= 0 && now > lastNanos) {
            perSecond = (newlyAdmitted - lastAdmitted) * 1e9 / (now - lastNanos);
        }
        lastAdmitted = newlyAdmitted;
        lastNanos = now;
        HealthSnapshot health = c.health().lastSnapshot();
        StatusSample sample = new StatusSample(
                atMillis,
                open,
                c.admittedClients(),
                waiting(),
                perSecond,
                health.p50Nanos() / NANOS_PER_MILLI,
                health.p99Nanos() / NANOS_PER_MILLI,
                health.errorRate(),
                health.colour().label());
        latest = sample;
        return sample;
    }

    static double percent(double fraction) {
        return Math.round(fraction * 100_000) / 1000.0;
    }
}
