package dev.readmit.gateway.admin;

import dev.readmit.admission.health.GateColour;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Locale;

/**
 * The gateway-side gauges that admission-core's {@code AdmissionMetrics} does not have: the gate
 * colour, the circuit breaker's state and the upstream health window's figures, all read when the
 * registry is scraped.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name (Prometheus)</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code readmit_gate_colour}</td><td>gauge, 1 for the current colour, else 0</td><td>{@code
 *       colour} (green, amber, red)</td></tr>
 *   <tr><td>{@code readmit_circuit_breaker_state}</td><td>gauge, 1 for the current state, else 0</td><td>{@code
 *       state} (closed, open, half_open, ...)</td></tr>
 *   <tr><td>{@code readmit_upstream_error_ratio}</td><td>gauge, 0..1</td><td></td></tr>
 *   <tr><td>{@code readmit_upstream_window_latency_seconds}</td><td>gauge</td><td>{@code quantile} (0.5, 0.99)</td></tr>
 * </table>
 */
public final class AdminMetrics implements MeterBinder {

    private final AdmissionRuntime admission;

    public AdminMetrics(AdmissionRuntime admission) {
        this.admission = admission;
    }

    /**
     * Binds the JVM and process basics (memory and buffer pools, threads, classes, CPU, uptime) and
     * Netty's pooled allocator (the gateway's buffers) next to the gateway's own meters; all cheap,
     * read at scrape time.
     */
    public static void bindProcessMetrics(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        var health = admission.controller().health();
        for (GateColour colour : GateColour.values()) {
            Gauge.builder("readmit.gate.colour", health, h -> h.colour() == colour ? 1 : 0)
                    .description("The health gate's colour: 1 for the current one")
                    .tag("colour", colour.label())
                    .register(registry);
        }
        CircuitBreaker breaker = admission.breaker();
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder("readmit.circuit.breaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .description("The upstream circuit breaker's state: 1 for the current one")
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("readmit.upstream.error.ratio", health, h -> h.lastSnapshot()
                        .errorRate())
                .description("Share of upstream errors and timeouts in the last health window (0..1)")
                .register(registry);
        Gauge.builder(
                        "readmit.upstream.window.latency",
                        health,
                        h -> h.lastSnapshot().p50Nanos() / 1e9)
                .description(
                        "Latency the health gate judged over its last window: slot wait at the gateway plus upstream")
                .baseUnit("seconds")
                .tag("quantile", "0.5")
                .register(registry);
        Gauge.builder(
                        "readmit.upstream.window.latency",
                        health,
                        h -> h.lastSnapshot().p99Nanos() / 1e9)
                .description(
                        "Latency the health gate judged over its last window: slot wait at the gateway plus upstream")
                .baseUnit("seconds")
                .tag("quantile", "0.99")
                .register(registry);
    }
}
