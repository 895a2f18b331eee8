package dev.readmit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code readmit bench}: end-to-end benchmarks of the gateway; each is a subcommand. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "End-to-end benchmarks of readmit on this machine.",
        subcommands = {StormCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
