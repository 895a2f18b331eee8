package dev.readmit.profiles.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code readmit profile}: tools for load profiles ({@code record}, {@code check}). Prints its usage
 * when run without a subcommand.
 */
@Command(
        name = "profile",
        mixinStandardHelpOptions = true,
        description = "Work with readmit-profile/1 load profiles.",
        subcommands = {ProfileRecordCommand.class, ProfileCheckCommand.class})
public final class ProfileCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
