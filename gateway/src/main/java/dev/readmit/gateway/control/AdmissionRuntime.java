package dev.readmit.gateway.control;

import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.AdmissionMetrics;
import dev.readmit.admission.Decision;
import dev.readmit.admission.NanoClock;
import dev.readmit.admission.cohort.CohortHash;
import dev.readmit.admission.health.AimdLimit;
import dev.readmit.admission.health.ConcurrencyLimiter;
import dev.readmit.admission.health.GradientLimit;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.Limit;
import dev.readmit.admission.ramp.ClassPlan;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampPolicy;
import dev.readmit.admission.ticket.TicketKeys;
import dev.readmit.admission.ticket.Tickets;
import dev.readmit.gateway.AdmissionStages;
import dev.readmit.gateway.admit.AdmissionDecider;
import dev.readmit.gateway.admit.AdmissionGate;
import dev.readmit.gateway.admit.AdmissionSettings;
import dev.readmit.gateway.admit.TicketCodec;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.ControlSettings;
import dev.readmit.gateway.config.ProxyMode;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelPipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission switched on: admission-core's controller assembled from the {@code admission} section
 * and plugged into the gateway at its two seams, the admission stages ({@link AdmissionStages}) and
 * the backpressure guard ({@link UpstreamObserver}).
 *
 * <p>It owns one ticker thread ({@code readmit-ticker}) that every {@value #TICK_MILLIS} ms closes the
 * health window, moves the ramps, adapts the new-client rate and re-asks held requests. Close it to
 * stop the thread.
 */
public final class AdmissionRuntime implements AdmissionStages, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdmissionRuntime.class);

    /** The ticker's period. */
    public static final long TICK_MILLIS = 100;

    /** The upstream latency histogram's buckets (Prometheus {@code le} values). */
    static final Duration[] UPSTREAM_LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30)
    };

    /** The name of the admission stage in a client pipeline. */
    public static final String STAGE = "admission";

    private final AdmissionSettings settings;
    private final ControlSettings control;
    private final NanoClock clock;
    private final AdmissionController controller;
    private final AdmissionGate gate;
    private final AdmissionDecider decider;
    private final HealthGuard guard;
    private final CircuitBreaker breaker;
    private final BreakerWatch breakerWatch;
    private final ScheduledExecutorService ticker;

    private AdmissionRuntime(
            AdmissionSettings settings,
            ControlSettings control,
            TicketKeys keys,
            NanoClock clock,
            MeterRegistry registry) {
        this.settings = settings;
        this.control = control;
        this.clock = clock;

        List<ClassPlan> classes = new ArrayList<>();
        for (int i = 0; i < settings.classes().size(); i++) {
            ControlSettings.ClassRamp ramp =
                    i < control.classRamps().size() ? control.classRamps().get(i) : control.defaultClass();
            classes.add(plan(settings.className(i), ramp));
        }
        classes.add(plan(settings.defaultClass(), control.defaultClass()));
        CohortPlan plan = CohortPlan.create(classes, RampPolicy.withRedHold(control.redHold()), clock);
        plan.addListener(event -> log.info(
                "ramp {}: {} {} -> {} ({} -> {}) by {}{}",
                event.className(),
                event.cause().label(),
                event.fromState(),
                event.toState(),
                percent(event.fromFraction()),
                percent(event.toFraction()),
                event.actor(),
                event.detail() == null || event.detail().isEmpty() ? "" : ": " + event.detail()));

        ConcurrencyLimiter limiter = ConcurrencyLimiter.create(limit(control.concurrency()));
        HealthSignal health = HealthSignal.create(control.health(), clock, limiter);

        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "readmit-ticker");
            t.setDaemon(true);
            return t;
        });
        this.controller = AdmissionController.builder(plan, clock)
                .cohortHash(CohortHash.withSalt(control.salt()))
                .newClientRate(control.newClientsPerSecond(), control.burst())
                .admitted(control.maxAdmittedClients(), control.admittedIdleTimeout())
                .health(health)
                .limiter(limiter)
                .fullRateBelowOccupancy(control.concurrency().fullRateBelow())
                .waiting(Math.max(1, settings.waiting().maxQueue()) * 100L, Duration.ofMinutes(5))
                .maintenanceExecutor(ticker)
                .build();
        new AdmissionMetrics(controller).bindTo(registry);

        ControlSettings.Breaker b = control.breaker();
        this.breaker = CircuitBreaker.of(
                "upstream",
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(b.failureRatePercent())
                        .minimumNumberOfCalls(b.minimumCalls())
                        .slidingWindowSize(b.slidingWindowCalls())
                        .waitDurationInOpenState(b.waitInOpen())
                        .permittedNumberOfCallsInHalfOpenState(Math.max(1, b.minimumCalls() / 2))
                        .automaticTransitionFromOpenToHalfOpenEnabled(true)
                        .build());
        this.breakerWatch = new BreakerWatch(breaker, controller);

        Timer upstreamLatency = Timer.builder("readmit.upstream.request.duration")
                .description("Time from sending a request upstream to the end of its response")
                // Fixed buckets, not publishPercentileHistogram's ~70: recorded on every response, a
                // record is a binary search over the buckets, and 14 cover what a dashboard reads.
                .serviceLevelObjectives(UPSTREAM_LATENCY_BUCKETS)
                .register(registry);
        this.guard = new HealthGuard(limiter, health, breaker, b.slidingWindowCalls(), upstreamLatency);

        Tickets tickets = Tickets.create(keys, settings.ticket().lifetime(), InstantSource.system());
        CohortHash hash = controller.cohortHash();
        TicketCodec codec = new TicketCodec() {
            @Override
            public String issue(CharSequence clientKey) {
                return tickets.issue(hash.hash(clientKey));
            }

            @Override
            public long verify(CharSequence ticket) {
                return tickets.verify(ticket);
            }
        };
        this.decider = new AdmissionDecider() {
            @Override
            public Decision decide(CharSequence clientKey, int classIndex, long nowNanos) {
                return controller.decide(clientKey, classIndex, nowNanos);
            }

            @Override
            public Decision decideTicketHolder(
                    CharSequence clientKey, long ticketClientHash, int classIndex, long nowNanos) {
                return controller.admitTicketHolder(ticketClientHash, classIndex, nowNanos);
            }
        };
        this.gate = AdmissionGate.create(settings, decider, codec, clock);

        ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        gate.waitingRoom().start(ticker, Duration.ofMillis(TICK_MILLIS), clock);
    }

    /**
     * Assembles admission from a validated configuration and starts its ticker.
     *
     * @param registry where the admission meters go (Prometheus in the gateway)
     */
    public static AdmissionRuntime start(
            AdmissionSettings settings, ControlSettings control, NanoClock clock, MeterRegistry registry) {
        return new AdmissionRuntime(settings, control, ticketKeys(control), clock, registry);
    }

    /**
     * Reads the ticket keys: the file's first line is the current key (it signs), later lines are
     * previous keys (they still verify); each line at least {@value TicketKeys#MIN_SECRET_BYTES}
     * bytes, e.g. {@code head -c 32 /dev/urandom | base64}. Without a file a random key is made and
     * tickets do not survive a restart.
     */
    static TicketKeys ticketKeys(ControlSettings control) {
        if (control.ticketKeyFile().isEmpty()) {
            log.warn("no ticket key file configured: made a random ticket key; tickets issued now will not be"
                    + " honoured after a restart or by other instances (set admission.ticketKeyFile)");
            return TicketKeys.generate();
        }
        Path file = control.ticketKeyFile().get();
        List<byte[]> secrets = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    secrets.add(line.strip().getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ticket key file " + file, e);
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("the ticket key file " + file + " holds no key");
        }
        log.info(
                "ticket keys from {}: 1 current{}",
                file,
                secrets.size() > 1 ? ", " + (secrets.size() - 1) + " previous" : "");
        return TicketKeys.of(secrets.get(0), secrets.subList(1, secrets.size()));
    }

    /**
     * Validates the whole {@code admission} section, both halves, collecting every problem.
     *
     * @return the two halves, or null if a problem was added
     */
    public static Parsed parse(com.fasterxml.jackson.databind.node.ObjectNode section, List<ConfigProblem> problems) {
        int before = problems.size();
        AdmissionSettings settings = AdmissionSettings.parse(section, problems);
        ControlSettings control = ControlSettings.read(section, problems);
        return problems.size() > before || settings == null ? null : new Parsed(settings, control);
    }

    /** Both halves of the {@code admission} section. */
    public record Parsed(AdmissionSettings settings, ControlSettings control) {}

    private static ClassPlan plan(String name, ControlSettings.ClassRamp ramp) {
        return ramp.alwaysOpen()
                ? ClassPlan.alwaysOpen(name)
                : ClassPlan.ramped(name, ramp.shape(), ramp.initialFraction());
    }

    private static Limit limit(ControlSettings.Concurrency c) {
        return switch (c.algorithm()) {
            case AIMD -> AimdLimit.create(AimdLimit.Config.builder()
                    .initialLimit(c.initial())
                    .minLimit(c.min())
                    .maxLimit(c.max())
                    .build());
            case GRADIENT -> GradientLimit.create(GradientLimit.Config.builder()
                    .initialLimit(c.initial())
                    .minLimit(c.min())
                    .maxLimit(c.max())
                    .build());
            case FIXED -> Limit.fixed(c.initial());
        };
    }

    private void tick() {
        try {
            controller.tick(clock.nanoTime());
            guard.feedBreaker();
            breakerWatch.check();
        } catch (RuntimeException e) {
            log.error("admission tick failed; will try again on the next tick", e);
        }
    }

    @Override
    public void addStages(ChannelPipeline pipeline, ProxyMode mode) {
        if (mode == ProxyMode.TCP) {
            pipeline.addLast(
                    STAGE,
                    new TcpAdmissionHandler(
                            decider,
                            settings.classCount() - 1,
                            clock,
                            settings.waiting().maxWait().toNanos()));
        } else {
            pipeline.addLast(STAGE, gate.newHandler());
        }
    }

    /** The backpressure seam for the proxy. */
    public UpstreamObserver upstreamObserver() {
        return guard;
    }

    public AdmissionController controller() {
        return controller;
    }

    public AdmissionGate gate() {
        return gate;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public ControlSettings control() {
        return control;
    }

    private static String percent(double fraction) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", fraction * 100);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
