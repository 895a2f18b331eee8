package dev.readmit.cli;

import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.report.HtmlReportWriter;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.TextSummary;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.SimStats;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.io.PrintWriter;
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
        SimConfig sim = SimulatedService.config(capacity, workers);

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
            SimulatedService.awaitIdle(upstream);
            upstream.resetPeaks();
            SimStats before = upstream.stats();

            try (InProcessGateway gateway = InProcessGateway.start(gatewayConfig(upstream.port()))) {
                URI gated = gateway.uri();
                out.println();
                out.println("phase 2 of 2: the same clients through readmit (" + gated + ")");
                out.flush();
                runs.add(Replayer.run(loaded, options(gated, "through readmit", out)));
            }
            upstreamStats.add(SimulatedService.since(upstream.stats(), before));
        }

        out.println();
        out.println(TextSummary.format(runs));
        SimulatedService.printUpstreamTable(
                out, runs.stream().map(RunResult::name).toList(), upstreamStats);
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

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
