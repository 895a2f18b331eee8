package dev.readmit.profiles.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileException;
import dev.readmit.profiles.replay.ReplayOptions;
import dev.readmit.profiles.replay.ReplayRun;
import dev.readmit.profiles.replay.ReplaySummary;
import dev.readmit.profiles.replay.Replayer;
import dev.readmit.profiles.report.HtmlReportWriter;
import dev.readmit.profiles.report.RunResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code readmit replay}: plays a profile against a target, open loop, and reports the latency its clients
 * saw. Progress on stderr every second, the summary on stdout. Exit 0 when the run completed (whatever the
 * target answered), 1 when the profile or the target URL is unusable.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replay a load profile against a target, open loop: every request leaves at its intended time whatever"
                    + " happened to earlier ones, and latency is measured from that time (no coordinated omission).",
            "--speed compresses every profile time (think times and holds too); --scale multiplies clients"
                    + " (recorded profiles: clones under new keys, shifted up to --clone-spread)."
        })
public final class ReplayCommand implements Callable<Integer> {
    /** Name of the interval histogram log written under {@code --report}. */
    public static final String HISTOGRAM_LOG = "replay.hlog";
    /** Name of the result JSON written under {@code --report}. */
    public static final String RESULT_JSON = "result.json";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(
            paramLabel = "PROFILE",
            description = "Profile file or bundled name (${COMPLETION-CANDIDATES}).",
            completionCandidates = ProfileCheckCommand.BundledNames.class)
    String profile;

    @Option(
            names = "--target",
            required = true,
            paramLabel = "URL",
            description = "Base URL, e.g. http://127.0.0.1:8080")
    URI target;

    @Option(
            names = "--speed",
            defaultValue = "1",
            paramLabel = "X",
            description = "Time compression. Default: ${DEFAULT-VALUE}.")
    double speed;

    @Option(
            names = "--scale",
            defaultValue = "1",
            paramLabel = "Y",
            description = "Client multiplier. Default: ${DEFAULT-VALUE}.")
    double scale;

    @Option(
            names = "--duration",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "Hard cap of the run (e.g. 90s, 5m). Default: the plan's length plus --grace.")
    Duration duration;

    @Option(
            names = "--grace",
            defaultValue = "30s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "Added to the plan's length for the default cap. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(
            names = "--max-connections",
            defaultValue = "10000",
            paramLabel = "N",
            description = "Cap of open connections (HTTP, WebSocket and TCP alike); a request or session that"
                    + " finds none free waits for one to close and counts as late."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(
            names = "--max-connections-per-client",
            paramLabel = "N",
            description = "Cap of the connections one client holds (per_client and per_request profiles); a"
                    + " request due while all are busy waits for one and counts as late. Default: no cap (a"
                    + " busy connection never delays a request).")
    Integer maxConnectionsPerClient;

    @Option(
            names = "--request-timeout",
            defaultValue = "30s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "An answer not complete this long after the send is a timeout. Default: ${DEFAULT-VALUE}.")
    Duration requestTimeout;

    @Option(
            names = "--clone-spread",
            defaultValue = "1s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description =
                    "Clones of a recorded client start up to this much later (0 = synchronised). Default: ${DEFAULT-VALUE}.")
    Duration cloneSpread;

    @Option(
            names = "--warmup",
            defaultValue = "0s",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "Play the first D of the plan but leave its requests out of every figure (the"
                    + " generator's own start). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--io-threads", paramLabel = "N", description = "Event-loop threads. Default: min(4, cores).")
    Integer ioThreads;

    @Option(
            names = "--name",
            defaultValue = "replay",
            description = "Name of the run in the report. Default: ${DEFAULT-VALUE}.")
    String runName;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Write the interval histograms (" + HISTOGRAM_LOG + "), the result (" + RESULT_JSON
                    + ") and the report into DIR.")
    Path reportDir;

    /**
     * Runs {@code replay} on its own (the benchmark scripts use this); the product runs it as {@code
     * readmit replay}.
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ReplayCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Profile p;
        try {
            p = BundledProfiles.resolve(profile);
        } catch (ProfileException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        ReplayOptions options;
        try {
            ReplayOptions.Builder b = ReplayOptions.builder(target)
                    .runName(runName)
                    .speed(speed)
                    .scale(scale)
                    .duration(duration)
                    .grace(grace)
                    .maxConnections(maxConnections)
                    .requestTimeout(requestTimeout)
                    .cloneSpread(cloneSpread)
                    .warmup(warmup)
                    .histogramLog(reportDir == null ? null : reportDir.resolve(HISTOGRAM_LOG))
                    .progress(line -> {
                        err.println(line);
                        err.flush();
                    });
            if (ioThreads != null) {
                b.ioThreads(ioThreads);
            }
            if (maxConnectionsPerClient != null) {
                b.maxConnectionsPerClient(maxConnectionsPerClient);
            }
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ReplayRun run = Replayer.runDetailed(p, options);
        out.println(ReplaySummary.format(run));
        if (reportDir != null) {
            writeReport(reportDir, "readmit replay: " + p.name(), run.result());
            out.println("report:        " + reportDir.toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    /**
     * Writes the report files of one run: the result as JSON and the HTML report with its charts
     * ({@code index.html}, {@link HtmlReportWriter}); the {@code .hlog} is written during the run.
     */
    static void writeReport(Path dir, String title, RunResult result) throws IOException {
        Files.createDirectories(dir);
        writeResultJson(dir.resolve(RESULT_JSON), List.of(result));
        HtmlReportWriter.write(dir, title, List.of(result));
    }

    /** The results as JSON (Jackson; NaN written as the string {@code "NaN"}). */
    static void writeResultJson(Path file, List<RunResult> results) throws IOException {
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), results.size() == 1 ? results.get(0) : results);
    }
}
