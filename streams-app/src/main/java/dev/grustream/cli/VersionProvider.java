package dev.grustream.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version written in the jar's manifest. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = GruStreamCommand.class.getPackage().getImplementationVersion();
        return new String[] {"gru-stream " + (version == null ? "(development build)" : version)};
    }
}
