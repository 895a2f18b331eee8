package dev.readmit.cli;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.Transport;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.control.AdmissionRuntime;
import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.report.HtmlReportWriter;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.TextSummary;
import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.SimStats;
import dev.readmit.profiles.sim.UpstreamSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code readmit demo}: the main job on an embedded default. Starts a simulated upstream of known
 * capacity, replays the bundled {@code backup-agents-return} profile (every agent resumes at once)
 * straight at it, then the same replay through a readmit gateway in front of it, and prints the two
 * side by side; writes the HTML report. Needs nothing else; every socket is on 127.0.0.1.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Replays 'backup-agents-return' at a simulated upstream, first directly, then through readmit,"
                    + " and prints both side by side (about a minute and a half).",
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--profile",
            paramLabel = "NAME|FILE",
            description = "Profile to replay. Default: ${DEFAULT-VALUE}.")
    String profile = "backup-agents-return";

    @Option(names = "--scale", paramLabel = "X", description = "Client multiplier. Default: ${DEFAULT-VALUE}.")
    double scale = 0.02;

    @Option(names = "--speed", paramLabel = "X", description = "Time compression. Default: ${DEFAULT-VALUE}.")
    double speed = 10;

    @Option(
            names = "--capacity",
            paramLabel = "RPS",
            description = "The simulated upstream's capacity, requests/s. Default: ${DEFAULT-VALUE}.")
    double capacity = 200;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "The simulated upstream's workers. Default: ${DEFAULT-VALUE}.")
    int workers = 16;

    @Option(
            names = "--phase-duration",
            paramLabel = "DURATION",
            converter = dev.readmit.profiles.cli.DurationConverter.class,
            description = "Upper bound of each replay phase. Default: 40s.")
    Duration phaseDuration = Duration.ofSeconds(40);

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Where the HTML report goes. Default: ${DEFAULT-VALUE}.")
    Path reportDir = Path.of("demo-report");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!(scale > 0) || !(speed > 0) || !(capacity > 0) || workers < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--scale, --speed and --capacity must be positive, --workers at least 1");
        }
        Profile loaded = BundledProfiles.resolve(profile);
        Duration meanService = Duration.ofNanos((long) (workers / capacity * 1e9));
        SimConfig sim = SimConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .workers(workers)
                .serviceTime(ServiceTimeDistribution.lognormal(meanService, ServiceTimeDistribution.DEFAULT_SIGMA))
                .queueLimit(workers * 64)
                .timeout(Duration.ofSeconds(5))
                .collapseFactor(0.5)
                .build();

        out.printf(
                Locale.ROOT,
                "readmit demo: profile %s at scale %s, speed %s; simulated upstream %s%n",
                loaded.name(),
                fmt(scale),
                fmt(speed),
                sim.describe());
        out.flush();

        List<RunResult> runs = new ArrayList<>();
        List<SimStats> upstreamStats = new ArrayList<>();
        try (UpstreamSimulator upstream = UpstreamSimulator.start(sim)) {
            URI direct = URI.create("http://127.0.0.1:" + upstream.port());

            out.println();
            out.println("phase 1 of 2: every client straight at the upstream (" + direct + ")");
            out.flush();
            runs.add(Replayer.run(loaded, options(direct, "direct", out)));
            upstreamStats.add(upstream.stats());
            waitForIdle(upstream);
            upstream.resetPeaks();
            SimStats before = upstream.stats();

            GatewayConfig config = gatewayConfig(upstream.port());
            AdmissionRuntime.Parsed admission = GatewayCommand.admissionSettings(config);
            try (AdmissionRuntime runtime = AdmissionRuntime.start(
                            admission.settings(), admission.control(), NanoClock.system(), new SimpleMeterRegistry());
                    Gateway gateway = Gateway.start(
                            config, runtime, runtime.upstreamObserver(), NanoClock.system(), Transport.best())) {
                URI gated =
                        URI.create("http://127.0.0.1:" + gateway.localAddress().getPort());
                out.println();
                out.println("phase 2 of 2: the same clients through readmit (" + gated + ")");
                out.flush();
                runs.add(Replayer.run(loaded, options(gated, "through readmit", out)));
            }
            upstreamStats.add(minus(upstream.stats(), before));
        }

        out.println();
        out.println(TextSummary.format(runs));
        out.println("what the upstream saw:");
        out.printf(
                Locale.ROOT,
                "  %-18s %12s %12s %14s %14s%n",
                "run",
                "served",
                "timed out",
                "rejected(503)",
                "max in flight");
        for (int i = 0; i < runs.size(); i++) {
            SimStats s = upstreamStats.get(i);
            out.printf(
                    Locale.ROOT,
                    "  %-18s %12d %12d %14d %14d%n",
                    runs.get(i).name(),
                    s.served(),
                    s.timedOut(),
                    s.rejected(),
                    s.maxOpen());
        }
        Path index = HtmlReportWriter.write(reportDir, "readmit demo: " + loaded.name(), runs);
        out.println();
        out.println("report: " + index.toAbsolutePath());
        out.flush();
        return 0;
    }

    private ReplayOptions options(URI target, String name, PrintWriter out) {
        return ReplayOptions.builder(target)
                .runName(name)
                .speed(speed)
                .scale(scale)
                .duration(phaseDuration)
                .requestTimeout(Duration.ofSeconds(10))
                .progress(line -> {
                    out.println("  " + line);
                    out.flush();
                })
                .build();
    }

    /**
     * The gateway in front of the simulated upstream: agents keyed by their header, restores always
     * open, the bulk class ramped from 10 % over 20 s of green time, new agents admitted at about the
     * rate the upstream can take whole sessions, requests in flight held near the worker count.
     */
    private GatewayConfig gatewayConfig(int upstreamPort) throws ConfigException {
        double sessionsPerSecond = Math.max(1, capacity / 25.0);
        String yaml = String.join(
                "\n",
                "listen: 127.0.0.1:0",
                "workerThreads: 1",
                "upstream:",
                "  url: http://127.0.0.1:" + upstreamPort,
                "  responseTimeout: 10s",
                "admission:",
                "  clientKey: [{header: X-Client-Key}, ticket, source]",
                "  classes:",
                "    - name: restores",
                "      match: {path: \"/v1/restore/**\"}",
                "      alwaysOpen: true",
                "  defaultClass: bulk",
                "  openPercent: 10",
                "  ramp: {linear: {fromPercent: 10, toPercent: 100, over: 20s, steps: 9}}",
                "  newClientsPerSecond: " + fmt(sessionsPerSecond),
                "  burst: " + fmt(Math.max(1, Math.ceil(sessionsPerSecond))),
                "  concurrency: {algorithm: gradient, initial: " + workers + ", min: " + Math.max(1, workers / 2)
                        + ", max: " + workers * 2 + "}",
                "  waiting: {mode: respond}",
                "");
        return GatewayConfigReader.read(yaml, "(demo gateway)");
    }

    private static void waitForIdle(UpstreamSimulator upstream) throws InterruptedException {
        for (int i = 0; i < 100 && upstream.stats().open() > 0; i++) {
            Thread.sleep(100);
        }
    }

    private static SimStats minus(SimStats after, SimStats before) {
        return new SimStats(
                after.workers(),
                after.capacityPerSecond(),
                after.received() - before.received(),
                after.served() - before.served(),
                after.rejected() - before.rejected(),
                after.queueTimeouts() - before.queueTimeouts(),
                after.serviceTimeouts() - before.serviceTimeouts(),
                after.inFlight(),
                after.maxInFlight(),
                after.queueLength(),
                after.maxQueueLength(),
                after.open(),
                after.maxOpen(),
                after.bodyBytes() - before.bodyBytes());
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
