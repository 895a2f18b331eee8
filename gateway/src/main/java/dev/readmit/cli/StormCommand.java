package dev.readmit.cli;

import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.Decision;
import dev.readmit.admission.health.GateColour;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.profiles.cli.DurationConverter;
import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.replay.PlanBuilder;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.ReplayPlan;
import dev.readmit.profiles.replay.ReplayRun;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.report.HtmlReportWriter;
import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.TextSummary;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.SimStats;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code readmit bench storm}: the promise measured end to end (issue 6). Starts a simulated upstream
 * of capacity C, measures its steady-state p99 at 60 % of C, then replays a whole user base returning
 * (the bundled {@code backup-agents-return}, scaled to {@code --clients} arriving within {@code
 * --window}) three ways in one run: straight at the upstream, through nginx with {@code limit_req} at
 * C, and through readmit with its defaults. Prints the runs side by side and the targets of the issue
 * as PASS/FAIL with the measured figures, writes the HTML report, and with {@code --results} the
 * {@code storm} section of {@code benchmarks/RESULTS.md}. Every run is bounded in time.
 */
@Command(
        name = "storm",
        mixinStandardHelpOptions = true,
        description = {
            "Replays a whole user base returning at a simulated upstream of capacity C: directly, through nginx"
                    + " limit_req at C, and through readmit; judges readmit's targets (issue 6).",
        })
public final class StormCommand implements Callable<Integer> {

    static final String RUN_DIRECT = "direct";
    static final String RUN_NGINX = "nginx";
    static final String RUN_READMIT = "readmit";
    static final String RUN_READMIT_BASELINE = "readmit-baseline";

    @Option(
            names = "--capacity",
            paramLabel = "RPS",
            description = "Capacity C of the simulated upstream, requests/s. Default: ${DEFAULT-VALUE}.")
    double capacity = 2000;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Workers of the simulated upstream. Default: ${DEFAULT-VALUE}.")
    int workers = 32;

    @Option(
            names = "--clients",
            paramLabel = "N",
            description = "Clients that return at once. Default: ${DEFAULT-VALUE}.")
    int clients = 20_000;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "They all arrive within this window. Default: 10s.")
    Duration window = Duration.ofSeconds(10);

    @Option(
            names = "--profile",
            paramLabel = "NAME|FILE",
            description = "The modelled profile the storm is derived from. Default: ${DEFAULT-VALUE}.")
    String profile = "backup-agents-return";

    @Option(
            names = "--body-scale",
            paramLabel = "X",
            description = "Multiplier of request body sizes, (0, 1]. Default: ${DEFAULT-VALUE} (8 KiB median chunks).")
    double bodyScale = 1.0 / 64;

    @Option(
            names = "--rate-factor",
            paramLabel = "X",
            description = "readmit's newClientsPerSecond as a multiple of C / requests per client (the rate that"
                    + " matches the capacity once sessions overlap): a ceiling a quarter above it, so that spare"
                    + " capacity and the gate decide below it; at 2 the admission bursts after each red spell"
                    + " overshot. Default: ${DEFAULT-VALUE}.")
    double rateFactor = 1.25;

    @Option(
            names = "--steady-duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Length of the steady-state measurement at 60%% of C. Default: 20s.")
    Duration steadyDuration = Duration.ofSeconds(20);

    @Option(
            names = "--max-run",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Upper bound of each storm run. Default: the window plus twice the ideal time plus 30 s.")
    Duration maxRun;

    @Option(
            names = "--runs",
            split = ",",
            paramLabel = "RUN",
            description = "Which runs, of direct, nginx, readmit, readmit-baseline (readmit told the measured"
                    + " steady-state p99 as its health baseline). Default: direct, nginx, readmit.")
    List<String> runs = List.of(RUN_DIRECT, RUN_NGINX, RUN_READMIT);

    @Option(names = "--nginx", paramLabel = "PATH", description = "The nginx executable. Default: ${DEFAULT-VALUE}.")
    String nginx = "nginx";

    @Option(
            names = "--nginx-burst",
            paramLabel = "N",
            description = "limit_req burst (nodelay). Default: the upstream's worker count.")
    Integer nginxBurst;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "The generator's connection cap. Default: ${DEFAULT-VALUE} (generator and servers share"
                    + " one process's file limit).")
    int maxConnections = 9_000;

    @Option(
            names = "--full-rate-below",
            paramLabel = "X",
            description = "readmit's concurrency.fullRateBelow (share of the limit in use below which new clients come"
                    + " at the full rate), to compare with the default. Default: readmit's default.")
    Double fullRateBelow;

    @Option(
            names = "--close-from-retry-after",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "readmit's waiting.closeFromRetryAfter: waiting clients told to come back after at least"
                    + " this long are not kept connected (for storms larger than the connection limits). Default:"
                    + " keep them connected.")
    Duration closeFromRetryAfter;

    @Option(
            names = "--gateway-heap",
            paramLabel = "SIZE",
            description = "Run readmit's gateway in its own JVM with -Xmx SIZE (e.g. 512m) and report its peak heap"
                    + " from its GC log; the new-client rate is then not sampled. Default: in this JVM.")
    String gatewayHeap;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Where the HTML report goes. Default: ${DEFAULT-VALUE}.")
    Path reportDir = Path.of("storm-report");

    @Option(
            names = "--results",
            paramLabel = "FILE",
            description =
                    "Write the figures into the storm section of this markdown file (e.g. benchmarks/RESULTS.md).")
    Path resultsFile;

    @Option(
            names = "--results-section",
            paramLabel = "NAME",
            description = "The marker name of the section in --results. Default: ${DEFAULT-VALUE}.")
    String resultsSection = "storm";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        validate();
        String loadBefore = loadAverage();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        Profile base = BundledProfiles.resolve(profile);
        Profile storm = StormWorkload.derive(base, clients, window, bodyScale);
        ReplayPlan plan = PlanBuilder.build(storm, 1, 1, 1000);
        long totalWork = plan.requestCount();
        double idealSeconds = totalWork / capacity;
        double bulkRequestsPerClient =
                (double) totalWork / Math.max(1, plan.clients().size());
        double newClientsPerSecond = Math.round(rateFactor * capacity / bulkRequestsPerClient * 10) / 10.0;
        Duration cap = maxRun != null
                ? maxRun
                : window.plus(Duration.ofMillis((long) (2 * idealSeconds * 1000)))
                        .plusSeconds(30);

        SimConfig sim = SimulatedService.config(capacity, workers);
        out.printf(Locale.ROOT, "readmit bench storm: simulated upstream %s%n", sim.describe());
        out.printf(
                Locale.ROOT,
                "workload: %s, %d clients within %s, %d requests in all (%.1f per client), bodies x%s;"
                        + " ideal %.1f s at C = %s/s (served at once, the sessions would end after %.1f s);"
                        + " each run at most %d s%n",
                storm.name(),
                plan.clients().size(),
                human(window),
                totalWork,
                bulkRequestsPerClient,
                fmt(bodyScale),
                idealSeconds,
                fmt(capacity),
                plan.endNanos() / 1e9,
                cap.toSeconds());
        out.flush();

        List<RunResult> results = new ArrayList<>();
        List<StormTargets.Measured> measured = new ArrayList<>();
        List<SimStats> upstreamStats = new ArrayList<>();
        List<ReplayRun> replays = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double steadyP99;
        double steadyRate;
        try (UpstreamSimulator upstream = UpstreamSimulator.start(sim)) {
            int port = upstream.port();
            URI direct = URI.create("http://127.0.0.1:" + port);

            // 1. the baseline
            Profile steady = StormWorkload.scaleBodies(BundledProfiles.resolve("steady-state"), bodyScale);
            // Speed, not scale: the profile's arrivals are Poisson at a given rate, so more clients
            // would arrive over a longer time, not more densely; time compression raises the rate.
            ReplayPlan unit = PlanBuilder.build(steady, 1, 1, 1000);
            double unitRate = unit.requestCount() / (steady.durationMillis() / 1000.0);
            double steadySpeed = 0.6 * capacity / unitRate;
            double steadyScale = 1;
            out.println();
            out.printf(
                    Locale.ROOT,
                    "steady state: the steady-state profile at 60%% of C (%.0f requests/s planned) for %s, straight at"
                            + " the same service without the collapse%n",
                    0.6 * capacity,
                    human(steadyDuration));
            out.flush();
            ReplayRun steadyRun;
            try (UpstreamSimulator healthy = UpstreamSimulator.start(SimulatedService.config(capacity, workers, 0))) {
                steadyRun = Replayer.runDetailed(
                        steady,
                        ReplayOptions.builder(URI.create("http://127.0.0.1:" + healthy.port()))
                                .runName("steady state")
                                .speed(steadySpeed)
                                .scale(steadyScale)
                                .duration(steadyDuration)
                                .maxConnections(maxConnections)
                                .requestTimeout(Duration.ofSeconds(10))
                                .progress(progress(out))
                                .build());
            }
            // The typical second's p99, the figure each storm second is compared with; the median of
            // the seconds, so that one stall of a shared machine does not become the baseline.
            steadyP99 = medianSecondP99(steadyRun.result());
            double wholeRunP99 = steadyRun.result().summary().latencyMillis().get("p99");
            steadyRate = steadyRun.result().summary().requestsSent() / (steadyDuration.toNanos() / 1e9);
            long steadyFailed = StormTargets.failedRequests(steadyRun.result());
            if (steadyFailed > 0) {
                notes.add("the steady-state run had " + steadyFailed
                        + " failed requests (the machine stalled): its p99 is not a healthy baseline");
                out.println(notes.get(notes.size() - 1));
            }
            out.printf(
                    Locale.ROOT,
                    "steady-state p99 %s (the median second's; whole run p99 %s, p50 %s) at %.0f requests/s%n",
                    StormTargets.ms(steadyP99),
                    StormTargets.ms(wholeRunP99),
                    StormTargets.ms(steadyRun.result().summary().latencyMillis().get("p50")),
                    steadyRate);

            for (String run : runs) {
                upstream.resetPeaks();
                SimStats before = upstream.stats();
                ReplayRun replay;
                StormTargets.NewClientRate rate = null;
                switch (run) {
                    case RUN_DIRECT -> {
                        banner(out, "straight at the upstream", direct);
                        replay = Replayer.run(plan, options(direct, "direct", cap, out));
                    }
                    case RUN_NGINX -> {
                        long burst = nginxBurst != null ? nginxBurst : workers;
                        try (NginxLimitReq proxy = NginxLimitReq.start(
                                nginx,
                                port,
                                Math.round(capacity),
                                burst,
                                Runtime.getRuntime().availableProcessors())) {
                            banner(
                                    out,
                                    "through nginx limit_req rate=" + Math.round(capacity) + "r/s burst=" + burst
                                            + " nodelay (" + proxy.dir() + ")",
                                    proxy.uri());
                            replay = Replayer.run(plan, options(proxy.uri(), "nginx limit_req", cap, out));
                        }
                    }
                    case RUN_READMIT, RUN_READMIT_BASELINE -> {
                        boolean told = run.equals(RUN_READMIT_BASELINE);
                        String name = told ? "readmit + baseline" : "readmit";
                        Duration baseline = told ? baselineFor(steadyP99) : null;
                        if (gatewayHeap != null) {
                            int gatewayPort = NginxLimitReq.freePort();
                            try (GatewayProcess gateway = GatewayProcess.start(
                                    gatewayYaml(
                                            "127.0.0.1:" + gatewayPort,
                                            port,
                                            newClientsPerSecond,
                                            baseline,
                                            closeFromRetryAfter,
                                            fullRateBelow),
                                    gatewayPort,
                                    gatewayHeap)) {
                                banner(
                                        out,
                                        "through readmit in its own JVM (-Xmx" + gatewayHeap + ", " + gateway.dir()
                                                + "), newClientsPerSecond " + fmt(newClientsPerSecond)
                                                + (told
                                                        ? ", baselineP99 " + baseline.toMillis() + " ms"
                                                        : ", defaults"),
                                        gateway.uri());
                                replay = Replayer.run(plan, options(gateway.uri(), name, cap, out));
                                notes.add(heapNote(gateway));
                                out.println(notes.get(notes.size() - 1));
                            }
                            break;
                        }
                        try (InProcessGateway gateway = InProcessGateway.start(gatewayConfig(
                                port, newClientsPerSecond, baseline, closeFromRetryAfter, fullRateBelow))) {
                            banner(
                                    out,
                                    "through readmit, newClientsPerSecond " + fmt(newClientsPerSecond)
                                            + (told ? ", baselineP99 " + baseline.toMillis() + " ms" : ", defaults"),
                                    gateway.uri());
                            RateSampler sampler =
                                    new RateSampler(gateway.runtime().controller(), out);
                            try {
                                replay = Replayer.run(plan, options(gateway.uri(), name, cap, out));
                            } finally {
                                sampler.close();
                            }
                            rate = sampler.result(newClientsPerSecond);
                        }
                    }
                    default -> throw new IllegalStateException(run);
                }
                SimStats delta = SimulatedService.since(upstream.stats(), before);
                SimulatedService.awaitIdle(upstream);
                Histogram waiting = waitingHistogram(replay);
                results.add(replay.result());
                replays.add(replay);
                upstreamStats.add(delta);
                measured.add(new StormTargets.Measured(
                        replay.result(),
                        waiting.getTotalCount() == 0 ? Double.NaN : waiting.getValueAtPercentile(99) / 1000.0,
                        waiting.getTotalCount(),
                        delta.rejected() + delta.timedOut(),
                        rate));
            }
        }

        if (fullRateBelow != null) {
            notes.add("readmit: concurrency.fullRateBelow " + fullRateBelow);
        }
        if (closeFromRetryAfter != null) {
            notes.add("readmit: waiting.closeFromRetryAfter " + human(closeFromRetryAfter)
                    + " (waiting clients told to come back after at least that long are not kept connected)");
        }
        for (ReplayRun r : replays) {
            if (r.lateForConnection() > 0) {
                notes.add(String.format(
                        Locale.ROOT,
                        "%s: %d requests waited in the generator for a connection (its cap of %d was reached while"
                                + " the target held answers back), so its latencies include that wait; its upstream"
                                + " figures do not",
                        r.result().name(),
                        r.lateForConnection(),
                        maxConnections));
            }
        }
        List<List<StormTargets.Check>> checks = new ArrayList<>();
        for (StormTargets.Measured m : measured) {
            checks.add(StormTargets.judge(m, steadyP99, idealSeconds));
        }
        out.println();
        out.println(TextSummary.format(results));
        SimulatedService.printUpstreamTable(
                out, results.stream().map(RunResult::name).toList(), upstreamStats);
        String figures = StormTable.figures(results, replays, upstreamStats, idealSeconds);
        String targets = StormTable.targets(results, checks);
        out.println();
        out.println(figures);
        out.println();
        out.println(targets);
        Path index = HtmlReportWriter.write(reportDir, "readmit bench storm: " + storm.name(), results);
        out.println();
        out.println("report: " + index.toAbsolutePath());
        if (resultsFile != null) {
            String section = StormTable.section(
                    commandLine(),
                    started,
                    loadBefore,
                    loadAverage(),
                    sim.describe(),
                    String.format(
                            Locale.ROOT,
                            "steady-state profile at 60%% of C, on the same service without the collapse: %.0f"
                                    + " requests/s sent, p99 %s (the median second's)",
                            steadyRate,
                            StormTargets.ms(steadyP99)),
                    String.format(
                            Locale.ROOT,
                            "%s derived: %d clients within %s, %d requests (%.1f per client), bodies x%s; served"
                                    + " at once, the sessions would end after %.1f s; readmit newClientsPerSecond %s"
                                    + " (%s x C / requests per client: a ceiling; spare upstream capacity and the"
                                    + " health gate decide below it)%s, everything else default",
                            storm.name(),
                            plan.clients().size(),
                            human(window),
                            totalWork,
                            bulkRequestsPerClient,
                            fmt(bodyScale),
                            plan.endNanos() / 1e9,
                            fmt(newClientsPerSecond),
                            fmt(rateFactor),
                            runs.contains(RUN_READMIT_BASELINE)
                                    ? "; readmit + baseline: the same and health.baselineP99 "
                                            + baselineFor(steadyP99).toMillis() + " ms (the measured steady-state p99)"
                                    : ""),
                    idealSeconds,
                    notes,
                    figures,
                    targets);
            ResultsSection.write(resultsFile, resultsSection, section);
            out.println("results: " + resultsFile.toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (!(capacity > 0)) {
            problems.add("--capacity must be positive");
        }
        if (workers < 1) {
            problems.add("--workers must be at least 1");
        }
        if (clients < 1) {
            problems.add("--clients must be at least 1");
        }
        if (!(rateFactor > 0 && rateFactor <= 100)) {
            problems.add("--rate-factor must be in (0, 100]");
        }
        if (!(bodyScale > 0 && bodyScale <= 1)) {
            problems.add("--body-scale must be in (0, 1]");
        }
        if (!resultsSection.matches("[a-z0-9-]+")) {
            problems.add("--results-section must be lower-case letters, digits and '-'");
        }
        if (maxConnections < 1) {
            problems.add("--max-connections must be at least 1");
        }
        for (String r : runs) {
            if (!List.of(RUN_DIRECT, RUN_NGINX, RUN_READMIT, RUN_READMIT_BASELINE)
                    .contains(r)) {
                problems.add("--runs: '" + r + "' is not one of direct, nginx, readmit, readmit-baseline");
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private ReplayOptions options(URI target, String name, Duration cap, PrintWriter out) {
        return ReplayOptions.builder(target)
                .runName(name)
                .duration(cap)
                .maxConnections(maxConnections)
                .requestTimeout(Duration.ofSeconds(10))
                .progress(progress(out))
                .build();
    }

    private static Consumer<String> progress(PrintWriter out) {
        return line -> {
            out.println("  " + line);
            out.flush();
        };
    }

    private static void banner(PrintWriter out, String what, URI target) {
        out.println();
        out.println("storm " + what + ": " + target);
        out.flush();
    }

    /**
     * readmit as an operator would start it: the client key header, restores always open, the new-client
     * rate sized from the capacity (C / requests per session); the ramp, the health gate and the adaptive
     * concurrency limit at their defaults.
     */
    static GatewayConfig gatewayConfig(
            int upstreamPort,
            double newClientsPerSecond,
            Duration baselineP99,
            Duration closeFromRetryAfter,
            Double fullRateBelow)
            throws ConfigException {
        return GatewayConfigReader.read(
                gatewayYaml(
                        "127.0.0.1:0",
                        upstreamPort,
                        newClientsPerSecond,
                        baselineP99,
                        closeFromRetryAfter,
                        fullRateBelow),
                "(storm gateway)");
    }

    /**
     * The health gate's baseline p99 an operator who knows the service's healthy p99 gives readmit (run
     * {@code readmit-baseline}): the gate then turns amber at 1.25x and red at 1.5x of it (its defaults).
     */
    private static Duration baselineFor(double steadyP99Millis) {
        return Duration.ofMillis(Math.max(1, Math.round(steadyP99Millis)));
    }

    /** The YAML of {@link #gatewayConfig}, listening at {@code listen}. */
    static String gatewayYaml(
            String listen,
            int upstreamPort,
            double newClientsPerSecond,
            Duration baselineP99,
            Duration closeFromRetryAfter,
            Double fullRateBelow) {
        return String.join(
                "\n",
                "listen: " + listen,
                "upstream:",
                "  url: http://127.0.0.1:" + upstreamPort,
                "admission:",
                "  clientKey: [{header: X-Client-Key}, ticket, source]",
                "  classes:",
                "    - name: restores",
                "      match: {path: \"/v1/restore/**\"}",
                "      alwaysOpen: true",
                "  defaultClass: bulk",
                "  newClientsPerSecond: " + fmt(newClientsPerSecond),
                baselineP99 == null ? "" : "  health: {baselineP99: " + baselineP99.toMillis() + "ms}",
                closeFromRetryAfter == null
                        ? ""
                        : "  waiting: {closeFromRetryAfter: " + closeFromRetryAfter.toMillis() + "ms}",
                fullRateBelow == null ? "" : "  concurrency: {fullRateBelow: " + fullRateBelow + "}",
                "");
    }

    private String heapNote(GatewayProcess gateway) throws IOException {
        var peak = gateway.peakHeapMiB();
        String state = gateway.ranOutOfMemory()
                ? "it ran out of memory"
                : gateway.alive() ? "it was still running at the end" : "it exited during the run";
        return String.format(
                Locale.ROOT,
                "readmit gateway in its own JVM with -Xmx%s: peak heap before a collection %s; %s",
                gatewayHeap,
                peak.isPresent() ? String.format(Locale.ROOT, "%.0f MiB", peak.getAsDouble()) : "(no collection)",
                state);
    }

    /** The median over the run's seconds (those with at least 100 answers) of each second's p99. */
    static double medianSecondP99(RunResult run) {
        List<Double> p99s = new ArrayList<>();
        for (IntervalPoint p : run.intervals()) {
            if (p.requests() >= 100 && !Double.isNaN(p.p99Millis())) {
                p99s.add(p.p99Millis());
            }
        }
        if (p99s.isEmpty()) {
            return run.summary().latencyMillis().get("p99");
        }
        p99s.sort(Double::compare);
        return p99s.get(p99s.size() / 2);
    }

    private static Histogram waitingHistogram(ReplayRun run) {
        Histogram all = new Histogram(3_600_000_000L, 3);
        for (Map.Entry<String, Histogram> e : run.latencyByTag().entrySet()) {
            if (e.getKey().endsWith("/waiting")) {
                all.add(e.getValue());
            }
        }
        return all;
    }

    private String commandLine() {
        // The root command's original arguments: "bench storm ..." as typed.
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        return "readmit " + String.join(" ", args);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * Samples readmit's controller once a second: new clients admitted, the gate colour, the eligible
     * waiting line; counts the seconds that were green at both ends in which clients were told to wait
     * (there was more demand than the bucket let in, and the gate did not hold it back). Prints one
     * line per second.
     */
    static final class RateSampler implements AutoCloseable {
        private final AdmissionController controller;
        private final PrintWriter out;
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "readmit-storm-sampler");
            t.setDaemon(true);
            return t;
        });
        // Written and read only by the sampler thread until close() has waited for it.
        private long lastAdmits;
        private boolean lastGreen;
        private long lastTokenWaits;
        private long lastRoomWaits;
        private long admittedInHealthy;
        private double healthySeconds;
        private long lastNanos;
        private int second;

        RateSampler(AdmissionController controller, PrintWriter out) {
            this.controller = controller;
            this.out = out;
            this.lastAdmits = admits();
            this.lastNanos = System.nanoTime();
            this.lastGreen = green();
            this.lastTokenWaits = tokenWaits();
            this.lastRoomWaits = roomWaits();
            thread.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
        }

        private long admits() {
            long n = 0;
            for (int c = 0; c < controller.plan().classCount(); c++) {
                n += controller.counters().admits(c, Decision.Admit.NEWLY_ADMITTED);
            }
            return n;
        }

        /**
         * Green, admitting, and the bucket at the configured rate: not tapered for lack of spare
         * capacity (then the upstream, not the rate, decides how many get in).
         */
        private boolean green() {
            return controller.health().colour() == GateColour.GREEN
                    && !controller.newAdmissionsStopped()
                    && controller.headroomFactor() >= 1.0;
        }

        /** Eligible clients told to wait for a token: the bucket held them back. */
        private long tokenWaits() {
            long n = 0;
            for (int c = 0; c < controller.plan().classCount(); c++) {
                var k = controller.counters();
                n += k.waits(c) - k.waitsForRamp(c) - k.waitsForRoom(c);
            }
            return n;
        }

        /** Eligible clients told to wait because the upstream was at its concurrency limit. */
        private long roomWaits() {
            long n = 0;
            for (int c = 0; c < controller.plan().classCount(); c++) {
                n += controller.counters().waitsForRoom(c);
            }
            return n;
        }

        private void sample() {
            long now = System.nanoTime();
            long a = admits();
            long tokenWaits = tokenWaits();
            long roomWaits = roomWaits();
            boolean healthy = green();
            long delta = a - lastAdmits;
            // A second in which the bucket was the bottleneck: green throughout, eligible clients were
            // told to wait for a token, and none was held back by the upstream's limit (then the limit,
            // not the rate, decided how many got in).
            if (healthy && lastGreen && tokenWaits > lastTokenWaits && roomWaits == lastRoomWaits) {
                admittedInHealthy += delta;
                healthySeconds += (now - lastNanos) / 1e9;
            }
            second++;
            var limiter = controller.limiter();
            double open =
                    controller.plan().ramp(controller.plan().classCount() - 1).openFraction();
            out.printf(
                    Locale.ROOT,
                    "  [readmit %3ds] gate %-5s rate %5.1f/s new clients %4d/s (waited: token %4d, room %4d)  admitted %6d"
                            + "  eligible waiting %6d  open %5.1f%%  limit %s in flight %s  knee %.0f  baseline %.1f ms  %s%n",
                    second,
                    controller.health().colour(),
                    controller.effectiveRate(),
                    delta,
                    tokenWaits - lastTokenWaits,
                    roomWaits - lastRoomWaits,
                    controller.admittedClients(),
                    controller.waitingClients(),
                    open * 100,
                    limiter == null ? "-" : Integer.toString(limiter.limit()),
                    limiter == null ? "-" : Integer.toString(limiter.inFlight()),
                    controller.kneeInFlight(),
                    controller.health().baselineP99Nanos() / 1e6,
                    controller.health().lastSnapshot().reason());
            out.flush();
            lastAdmits = a;
            lastNanos = now;
            lastGreen = healthy;
            lastTokenWaits = tokenWaits;
            lastRoomWaits = roomWaits;
        }

        StormTargets.NewClientRate result(double configured) {
            return new StormTargets.NewClientRate(configured, admittedInHealthy, healthySeconds);
        }

        @Override
        public void close() throws InterruptedException {
            thread.shutdown();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
