package dev.readmit.cli;

import dev.readmit.profiles.cli.ProfileCommand;
import dev.readmit.profiles.cli.ReplayCommand;
import dev.readmit.profiles.cli.UpstreamSimCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code readmit} command: every part of the product is one of its subcommands.
 *
 * <p>Exit codes: 0 success, 1 the operation failed, 2 bad usage (picocli's default).
 */
@Command(
        name = "readmit",
        mixinStandardHelpOptions = true,
        versionProvider = ReadmitVersion.class,
        description = "Staged traffic readmission gateway.",
        subcommands = {
            CommandLine.HelpCommand.class,
            GatewayCommand.class,
            CtlCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            ReplayCommand.class,
            ProfileCommand.class,
            UpstreamSimCommand.class
        })
public final class ReadmitCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with every subcommand registered; tests run commands through this. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new ReadmitCommand());
    }
}
