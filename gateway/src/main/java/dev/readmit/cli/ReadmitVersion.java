package dev.readmit.cli;

import picocli.CommandLine;

/** Reports the version from the jar manifest, or "development" when run from classes. */
final class ReadmitVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = ReadmitVersion.class.getPackage().getImplementationVersion();
        return new String[] {"readmit " + (version == null ? "development build" : version)};
    }
}
