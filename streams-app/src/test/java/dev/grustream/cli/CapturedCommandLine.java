package dev.grustream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code gru-stream} commands in the test's JVM and keeps what they wrote to standard error. Not thread-safe. */
final class CapturedCommandLine {
    private final StringWriter err = new StringWriter();

    /** Runs one command line and returns its exit code. */
    int run(String... args) {
        CommandLine command = GruStreamCommand.commandLine();
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    /** Everything written to standard error so far. */
    String err() {
        return err.toString();
    }
}
