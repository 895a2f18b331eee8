package dev.readmit.profiles.cli;

import dev.readmit.profiles.format.BundledProfiles;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileException;
import dev.readmit.profiles.replay.PlanBuilder;
import dev.readmit.profiles.replay.PlannedClient;
import dev.readmit.profiles.replay.PlannedRequest;
import dev.readmit.profiles.replay.ReplayPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code readmit profile check}: validates a profile and prints what a replay at a speed and scale would
 * send (a dry run: nothing is sent). Exit 0 when valid, 1 when not.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = "Validate a profile (file or bundled name) and describe the plan a replay would send.")
public final class ProfileCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(
            paramLabel = "PROFILE",
            description = "Profile file or bundled name (${COMPLETION-CANDIDATES}).",
            completionCandidates = BundledNames.class)
    String profile;

    @Option(names = "--speed", defaultValue = "1", description = "Time compression. Default: ${DEFAULT-VALUE}.")
    double speed;

    @Option(names = "--scale", defaultValue = "1", description = "Client multiplier. Default: ${DEFAULT-VALUE}.")
    double scale;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Profile p;
        try {
            p = BundledProfiles.resolve(profile);
        } catch (ProfileException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        ReplayPlan plan = PlanBuilder.build(p, speed, scale, 1000);
        TreeMap<Long, Integer> perSecond = new TreeMap<>();
        TreeMap<String, Integer> perClass = new TreeMap<>();
        long bytes = 0;
        for (PlannedClient c : plan.clients()) {
            perClass.merge(c.className(), 1, Integer::sum);
            for (PlannedRequest r : c.requests()) {
                perSecond.merge(r.atNanos() / 1_000_000_000L, 1, Integer::sum);
                bytes += r.bodyBytes();
            }
        }
        int peak = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        out.printf(
                Locale.ROOT,
                "%s: valid %s profile \"%s\"%n",
                profile,
                p.kind().name().toLowerCase(Locale.ROOT),
                p.name());
        out.printf(
                Locale.ROOT,
                "at speed %s, scale %s: %d clients %s, %d requests over %.1f s, peak %d requests/s,"
                        + " %.1f MiB of request bodies%n",
                speed,
                scale,
                plan.clients().size(),
                perClass,
                plan.requestCount(),
                plan.endNanos() / 1e9,
                peak,
                bytes / 1048576.0);
        out.flush();
        return 0;
    }

    /** The bundled profile names, for help and completion. */
    static final class BundledNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BundledProfiles.NAMES.iterator();
        }
    }
}
