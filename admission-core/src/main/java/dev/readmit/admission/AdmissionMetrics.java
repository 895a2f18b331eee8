package dev.readmit.admission;

import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.ramp.CohortPlan;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds an {@link AdmissionController}'s figures to a Micrometer registry, with Prometheus-style
 * names. The registry is the embedding server's choice; the core sees only Micrometer's API.
 *
 * <p>Counts are read from the controller's {@link AdmissionCounters} when the registry is scraped, so
 * the decision path does no Micrometer work at all.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name (Prometheus)</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code readmit_admissions_total}</td><td>counter</td><td>{@code class},
 *       {@code outcome} (admit, wait, reject), {@code reason} (already_admitted, newly_admitted,
 *       always_open, queue_full, upstream_unhealthy, class_closed, none)</td></tr>
 *   <tr><td>{@code readmit_open_fraction}</td><td>gauge, 0..1</td><td>{@code class}</td></tr>
 *   <tr><td>{@code readmit_admitted_clients}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code readmit_waiting_clients}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code readmit_new_client_rate_per_second}</td><td>gauge</td><td>{@code source}
 *       (operator, effective)</td></tr>
 *   <tr><td>{@code readmit_concurrency_limit}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code readmit_upstream_inflight}</td><td>gauge</td><td></td></tr>
 * </table>
 */
public final class AdmissionMetrics implements MeterBinder {

    private final AdmissionController controller;

    public AdmissionMetrics(AdmissionController controller) {
        this.controller = controller;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        CohortPlan plan = controller.plan();
        AdmissionCounters counters = controller.counters();
        for (int c = 0; c < plan.classCount(); c++) {
            int classIndex = c;
            String className = plan.className(c);
            for (Decision.Admit how : Decision.Admit.values()) {
                FunctionCounter.builder("readmit.admissions", counters, k -> k.admits(classIndex, how))
                        .description("Admission decisions by class and outcome")
                        .tags(
                                "class",
                                className,
                                "outcome",
                                "admit",
                                "reason",
                                how.name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry);
            }
            FunctionCounter.builder("readmit.admissions", counters, k -> k.waits(classIndex))
                    .description("Admission decisions by class and outcome")
                    .tags("class", className, "outcome", "wait", "reason", "none")
                    .register(registry);
            for (Decision.RejectReason reason : Decision.RejectReason.values()) {
                FunctionCounter.builder("readmit.admissions", counters, k -> k.rejects(classIndex, reason))
                        .description("Admission decisions by class and outcome")
                        .tags("class", className, "outcome", "reject", "reason", reason.label())
                        .register(registry);
            }
            Gauge.builder("readmit.open.fraction", plan, p -> p.ramp(classIndex).openFraction())
                    .description("Share of cohort positions eligible now, per class (0..1)")
                    .tag("class", className)
                    .register(registry);
        }
        Gauge.builder("readmit.admitted.clients", controller, AdmissionController::admittedClients)
                .description("Clients in the admitted set")
                .register(registry);
        Gauge.builder("readmit.waiting.clients", controller, AdmissionController::waitingClients)
                .description("Eligible clients waiting for a token")
                .register(registry);
        Gauge.builder("readmit.new.client.rate.per.second", controller, AdmissionController::operatorRate)
                .description("New clients admitted per second")
                .tag("source", "operator")
                .register(registry);
        Gauge.builder("readmit.new.client.rate.per.second", controller, AdmissionController::effectiveRate)
                .description("New clients admitted per second")
                .tag("source", "effective")
                .register(registry);
        Gauge.builder("readmit.health.baseline.p99", controller.health(), h -> h.baselineP99Nanos() / 1e9)
                .description("The p99 the health gate judges against: configured, or learnt from the upstream"
                        + " (0 while unknown)")
                .baseUnit("seconds")
                .register(registry);
        ConcurrencyLimiter limiter = controller.limiter();
        if (limiter != null) {
            Gauge.builder("readmit.concurrency.limit", limiter, ConcurrencyLimiter::limit)
                    .description("Adaptive limit on requests in flight to the upstream")
                    .register(registry);
            Gauge.builder("readmit.upstream.inflight", limiter, ConcurrencyLimiter::inFlight)
                    .description("Requests in flight to the upstream")
                    .register(registry);
        }
    }
}
