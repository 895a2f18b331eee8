package dev.readmit.profiles.cli;

import dev.readmit.profiles.format.ProfileWriter;
import dev.readmit.profiles.record.AccessLogFormat;
import dev.readmit.profiles.record.AccessLogRecorder;
import dev.readmit.profiles.record.MalformedLine;
import dev.readmit.profiles.record.Recording;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code readmit profile record}: an access log to a recorded profile. Exit 0 on success, 1 on failure. */
@Command(
        name = "record",
        mixinStandardHelpOptions = true,
        description = {
            "Turn a web server access log into a recorded profile (readmit-profile/1, JSON Lines).",
            "Malformed lines are counted, reported with their line numbers on stderr, and skipped."
        })
public final class ProfileRecordCommand implements Callable<Integer> {
    private static final int SHOWN_MALFORMED = 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--access-log",
            required = true,
            paramLabel = "FILE",
            description = "Access log (.gz read as gzip).")
    Path accessLog;

    @Option(
            names = "--format",
            defaultValue = "combined",
            paramLabel = "FORMAT",
            description = "combined, common or json (nginx log_format readmit, see README). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Profile to write (.gz written as gzip). Default: standard output.")
    Path output;

    @Option(names = "--name", paramLabel = "NAME", description = "Profile name. Default: the log's file name.")
    String name;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the sub-second spreading. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--class",
            paramLabel = "CLASS=REGEX",
            description = "Class of requests whose path matches REGEX (first match wins); repeatable.")
    List<String> classRules = List.of();

    @Option(
            names = "--keep-raw-keys",
            description = "Write client keys (addresses, users) as they are instead of salted hashes. Lab logs only.")
    boolean keepRawKeys;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        AccessLogFormat logFormat;
        try {
            logFormat = AccessLogFormat.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--format: '" + format + "' unknown (one of combined, common, json)");
        }
        Map<String, Pattern> rules = new LinkedHashMap<>();
        for (String rule : classRules) {
            int eq = rule.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--class: '" + rule + "' must be CLASS=REGEX, e.g. priority=^/v1/restore/");
            }
            try {
                rules.put(rule.substring(0, eq), Pattern.compile(rule.substring(eq + 1)));
            } catch (PatternSyntaxException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--class: '" + rule + "' has a bad regex: " + e.getDescription());
            }
        }
        if (!Files.isRegularFile(accessLog)) {
            err.println("readmit profile record: no such file: " + accessLog);
            return 1;
        }
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        String profileName = name != null ? name : accessLog.getFileName().toString();
        AccessLogRecorder recorder = new AccessLogRecorder(logFormat, profileName, seed, salt, keepRawKeys, rules);
        Recording recording;
        try (InputStream raw = Files.newInputStream(accessLog);
                BufferedReader in = new BufferedReader(new InputStreamReader(
                        accessLog.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw,
                        StandardCharsets.UTF_8))) {
            recording = recorder.record(in, accessLog.getFileName().toString());
        }
        for (MalformedLine m : recording
                .malformed()
                .subList(0, Math.min(SHOWN_MALFORMED, recording.malformed().size()))) {
            err.println(accessLog + ":" + m.line() + ": skipped: " + m.reason());
        }
        if (recording.malformedCount() > SHOWN_MALFORMED) {
            err.println("... and " + (recording.malformedCount() - SHOWN_MALFORMED) + " more malformed lines");
        }
        if (recording.profile().events().isEmpty()) {
            err.println("readmit profile record: no usable line in " + accessLog + " (" + recording.linesRead()
                    + " lines, " + recording.malformedCount() + " malformed); is --format " + format + " right?");
            return 1;
        }
        if (output == null) {
            ProfileWriter.writeRecorded(recording.profile(), spec.commandLine().getOut());
        } else {
            try (Writer out = new OutputStreamWriter(
                    output.toString().endsWith(".gz")
                            ? new GZIPOutputStream(Files.newOutputStream(output))
                            : Files.newOutputStream(output),
                    StandardCharsets.UTF_8)) {
                ProfileWriter.writeRecorded(recording.profile(), out);
            }
        }
        err.printf(
                Locale.ROOT,
                "recorded %d events of %d clients over %.1f s from %d lines (%d malformed, skipped)%s%n",
                recording.profile().events().size(),
                recording.profile().clientCount(),
                recording.profile().durationMillis() / 1000,
                recording.linesRead(),
                recording.malformedCount(),
                output == null ? "" : " to " + output);
        err.flush();
        return 0;
    }
}
