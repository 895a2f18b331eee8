package dev.readmit.profiles.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.readmit.profiles.replay.CeilingSearch;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.ReplayPlan;
import dev.readmit.profiles.replay.ReplayRun;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.report.RunSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The replayer's own ceiling against a target: the highest offered rate at which a flat open-loop plan
 * is played in full. Used by {@code benchmarks/replayer-vs-wrk.sh}; run on its own through {@link
 * #main}.
 *
 * <p>The JVM is warmed up first by an unmeasured replay (same code, same target), so that class
 * loading and JIT compilation do not count; every probe then runs a fresh replay (new event loops, new
 * connections) of {@code --probe-warmup} plus {@code --probe} at one rate, and only the requests
 * intended after the probe's warm-up are measured ({@link ReplayOptions#warmup()}). A probe passes when
 * every measured request was answered {@code 2xx}, the last answer came within {@code --overrun} of the
 * plan's whole length, and the send lag (hand-off to a connection minus intended send time) stayed under
 * {@code --max-lag} at the 99th percentile. The search
 * is {@link CeilingSearch}'s. Progress on stderr, the probes as JSON in {@code --json}, a summary on
 * stdout. Exit 0 when the search ran, whatever it found.
 */
@Command(
        name = "replay-ceiling",
        mixinStandardHelpOptions = true,
        description = "Find the highest rate the replayer plays in full against a target (a benchmark).")
public final class ReplayCeilingCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "URL", description = "Target base URL.")
    URI target;

    @Option(names = "--path", defaultValue = "/", description = "Path requested. Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(
            names = "--clients",
            defaultValue = "100",
            description = "Clients, each on its own keep-alive connection. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--connections-per-client",
            defaultValue = "2",
            description = "Most connections a client holds; a request due while they are busy waits (its latency"
                    + " and send lag count the wait). Default: ${DEFAULT-VALUE}.")
    int connectionsPerClient;

    @Option(names = "--io-threads", defaultValue = "2", description = "Event loops. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(
            names = "--probe",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Length of each probe. Default: ${DEFAULT-VALUE}.")
    Duration probe;

    @Option(
            names = "--warmup",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Unmeasured replay before the search, at --start. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--probe-warmup",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "Each probe first plays this long at its rate unmeasured (connections open, the"
                    + " loops settle); the criteria judge the --probe after it. Default: ${DEFAULT-VALUE}.")
    Duration probeWarmup;

    @Option(names = "--start", defaultValue = "20000", description = "First rate probed, per second.")
    double start;

    @Option(names = "--max", defaultValue = "400000", description = "Highest rate probed, per second.")
    double max;

    @Option(names = "--growth", defaultValue = "1.5", description = "Factor between rates until one fails.")
    double growth;

    @Option(
            names = "--precision",
            defaultValue = "0.05",
            description = "Stop when the lowest failing rate is within this fraction of the ceiling.")
    double precision;

    @Option(names = "--max-probes", defaultValue = "10", description = "Most probes, confirmations included.")
    int maxProbes;

    @Option(
            names = "--confirmations",
            defaultValue = "1",
            description = "Extra tries of a failing rate before it counts as failed.")
    int confirmations;

    @Option(
            names = "--max-lag",
            defaultValue = "10ms",
            converter = DurationConverter.class,
            description = "Highest p99 send lag of a passing probe. Default: ${DEFAULT-VALUE}.")
    Duration maxLag;

    @Option(
            names = "--overrun",
            defaultValue = "0.03",
            description = "Longest overrun of the plan's length, as a fraction, of a passing probe.")
    double overrun;

    @Option(names = "--progress", description = "Print each probe's progress line every 200 ms on stderr.")
    boolean progress;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the probes and the result here.")
    Path json;

    /** One probe: the figures of one measured replay. Times in seconds, lags and latencies in ms. */
    record Probe(
            double offeredPerSecond,
            long planned,
            long ok,
            Map<String, Long> outcomes,
            double plannedSeconds,
            double seconds,
            double answeredPerSecond,
            double lagP50Millis,
            double lagP99Millis,
            double lagMaxMillis,
            double latencyP50Millis,
            double latencyP99Millis,
            long connectionsOpened,
            double cpuSeconds,
            boolean passed,
            String verdict) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReplayCeilingCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        err.printf(Locale.ROOT, "warm-up: %s at %.0f/s (not measured)%n", warmup, start);
        err.flush();
        if (!warmup.isZero()) {
            Probe w = probe(start, warmup);
            err.println("warm-up: " + line(w));
        }
        List<Probe> probes = new ArrayList<>();
        CeilingSearch.Result result;
        try {
            result = CeilingSearch.search(start, max, growth, precision, maxProbes, confirmations, rate -> {
                try {
                    Probe p = probe(rate, probe);
                    probes.add(p);
                    err.println("probe:   " + line(p));
                    err.flush();
                    return p.passed();
                } catch (IOException e) {
                    throw new IllegalStateException("probe at " + rate + "/s failed: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Probe best = probes.stream()
                .filter(p -> p.passed() && p.offeredPerSecond() == result.ceiling())
                .findFirst()
                .orElse(null);
        out.printf(
                Locale.ROOT,
                "ceiling: %.0f requests/s offered (%s answered/s), lowest failing %s, %d probes%n",
                result.ceiling(),
                best == null ? "-" : String.format(Locale.ROOT, "%.0f", best.answeredPerSecond()),
                Double.isNaN(result.lowestFailed())
                        ? "none"
                        : String.format(Locale.ROOT, "%.0f/s", result.lowestFailed()),
                result.probes());
        out.flush();
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("target", target.toString());
            doc.put("clients", clients);
            doc.put("connectionsPerClient", connectionsPerClient);
            doc.put("ioThreads", ioThreads);
            doc.put("probeSeconds", probe.toMillis() / 1000.0);
            doc.put("warmupSeconds", warmup.toMillis() / 1000.0);
            doc.put("probeWarmupSeconds", probeWarmup.toMillis() / 1000.0);
            doc.put("maxLagP99Millis", maxLag.toNanos() / 1e6);
            doc.put("maxOverrun", overrun);
            doc.put("confirmations", confirmations);
            doc.put("ceilingPerSecond", result.ceiling());
            doc.put("ceilingAnsweredPerSecond", best == null ? 0 : best.answeredPerSecond());
            doc.put("lowestFailedPerSecond", Double.isNaN(result.lowestFailed()) ? null : result.lowestFailed());
            doc.put("probes", probes);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        }
        return 0;
    }

    private Probe probe(double rate, Duration length) throws IOException, InterruptedException {
        ReplayPlan plan = ReplayPlan.flat(clients, rate, length.plus(probeWarmup), path);
        ReplayOptions options = ReplayOptions.builder(target)
                .runName(String.format(Locale.ROOT, "flat-%.0f", rate))
                .ioThreads(ioThreads)
                .maxConnectionsPerClient(connectionsPerClient)
                .warmup(probeWarmup)
                .interval(progress ? Duration.ofMillis(200) : Duration.ofSeconds(1))
                .progress(progress ? spec.commandLine().getErr()::println : null)
                .requestTimeout(Duration.ofSeconds(5))
                .grace(Duration.ofSeconds(5))
                .build();
        // The plan's garbage is collected before the probe, not during it.
        System.gc();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        ReplayRun run = Replayer.run(plan, options);
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        RunSummary s = run.result().summary();
        long planned = run.plannedRequests();
        long ok = s.responses().getOrDefault("ok", 0L);
        double plannedSeconds = plan.endNanos() / 1e9;
        double lagP99 = run.sendLagMicros().getValueAtPercentile(99) / 1000.0;
        // Answered per second over the measured part: from the end of the probe's warm-up to the last answer.
        double measuredSeconds = s.durationSeconds() - probeWarmup.toNanos() / 1e9;
        String verdict;
        if (ok < planned || s.responses().size() > 1) {
            verdict = "not every request answered 2xx";
        } else if (s.durationSeconds() > plannedSeconds * (1 + overrun)) {
            verdict = String.format(Locale.ROOT, "took %.2f s for a %.2f s plan", s.durationSeconds(), plannedSeconds);
        } else if (lagP99 > maxLag.toNanos() / 1e6) {
            verdict = String.format(Locale.ROOT, "send lag p99 %.1f ms", lagP99);
        } else {
            verdict = "pass";
        }
        return new Probe(
                rate,
                planned,
                ok,
                s.responses(),
                plannedSeconds,
                s.durationSeconds(),
                measuredSeconds > 0 ? ok / measuredSeconds : 0,
                run.sendLagMicros().getValueAtPercentile(50) / 1000.0,
                lagP99,
                run.sendLagMicros().getMaxValue() / 1000.0,
                s.latencyMillis().getOrDefault("p50", Double.NaN),
                s.latencyMillis().getOrDefault("p99", Double.NaN),
                run.connectionsOpened(),
                cpu,
                verdict.equals("pass"),
                verdict);
    }

    private static String line(Probe p) {
        return String.format(
                Locale.ROOT,
                "%7.0f/s offered: %d/%d ok in %.2f s (%.0f/s), lag p50/p99/max %.2f/%.2f/%.1f ms,"
                        + " latency p50/p99 %.2f/%.2f ms, %d conns, %.1f CPU s: %s",
                p.offeredPerSecond(),
                p.ok(),
                p.planned(),
                p.seconds(),
                p.answeredPerSecond(),
                p.lagP50Millis(),
                p.lagP99Millis(),
                p.lagMaxMillis(),
                p.latencyP50Millis(),
                p.latencyP99Millis(),
                p.connectionsOpened(),
                p.cpuSeconds(),
                p.verdict());
    }
}
