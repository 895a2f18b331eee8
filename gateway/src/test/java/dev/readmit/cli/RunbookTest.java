package dev.readmit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.admin.AdminFixture;
import dev.readmit.gateway.admin.AdminToken;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs every command of {@code docs/runbook.md}, in order, so the runbook cannot rot: {@code readmit
 * ctl} commands against a running gateway (they must all succeed), {@code readmit gateway --check} on
 * the test gateway's config, {@code readmit profile check} as written; {@code readmit replay} (minutes
 * of load) is parsed with every option checked but not run. Any other command fails the test.
 */
@ExtendWith(LeakCheckExtension.class)
final class RunbookTest {

    private static final Path RUNBOOK = Path.of("..", "docs", "runbook.md");
    private static final String EXPORT_TOKEN = "export READMIT_ADMIN_TOKEN=";

    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheRunbookRunsAgainstAGateway() throws Exception {
        List<String> commands = commands(Files.readString(RUNBOOK));
        assertThat(commands).as("commands in the runbook").hasSizeGreaterThan(20);
        Map<String, String> env = new HashMap<>();
        int ctlRuns = 0;
        try (AdminFixture f = new AdminFixture(dir)) {
            for (String line : commands) {
                if (line.startsWith(EXPORT_TOKEN)) {
                    env.put(AdminToken.ENV, AdminFixture.TOKEN);
                    continue;
                }
                if (!line.startsWith("readmit ")) {
                    fail("the runbook has a command the test cannot run: " + line);
                }
                List<String> args = words(line.substring("readmit ".length()));
                switch (args.get(0)) {
                    case "ctl" -> {
                        List<String> ctl = new ArrayList<>(List.of("--admin", f.adminUrl()));
                        ctl.addAll(args.subList(1, args.size()));
                        run(new CommandLine(new CtlCommand(env)), line, ctl);
                        ctlRuns++;
                    }
                    case "gateway" -> {
                        assertThat(args).as(line).contains("--check");
                        args.set(args.indexOf("--config") + 1, f.configFile.toString());
                        run(ReadmitCommand.newCommandLine(), line, args);
                    }
                    case "profile" -> run(ReadmitCommand.newCommandLine(), line, args);
                    case "replay" -> ReadmitCommand.newCommandLine().parseArgs(args.toArray(String[]::new));
                    default -> fail("the runbook has a readmit command the test cannot run: " + line);
                }
            }
            assertThat(ctlRuns).isGreaterThan(15);
            assertThat(f.classStatus("everyone").get("openPercent").asDouble()).isEqualTo(100.0);
            assertThat(f.classStatus("paying").get("openPercent").asDouble()).isEqualTo(100.0);
            assertThat(f.status().get("message").asText()).isEmpty();
            assertThat(f.admin.events().size()).isGreaterThan(15);
        }
    }

    private static void run(CommandLine cli, String line, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args.toArray(String[]::new));
        assertThat(code).as("%s%nstdout: %s%nstderr: %s", line, out, err).isZero();
    }

    /** The command lines of the {@code ```sh} blocks, continuation lines joined, comments dropped. */
    static List<String> commands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        for (String raw : markdown.split("\n", -1)) {
            String line = raw.strip();
            if (!inBlock) {
                inBlock = line.equals("```sh");
                continue;
            }
            if (line.equals("```")) {
                inBlock = false;
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            commands.add(pending.toString());
            pending.setLength(0);
        }
        return commands;
    }

    /** Splits a command line into words the way sh does for the quoting the runbook uses. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed quote in: " + line);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
