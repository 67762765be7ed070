package dev.grustream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started from this test's classpath: the honest way to kill an application mid-stream (SIGKILL
 * leaves no chance to clean up). Its stdout and stderr go to a log file.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * How to start the JVM besides its class and arguments.
     *
     * @param launcher a command the java command is handed to (for example one that sets up a mount namespace and
     *     then runs {@code "$@"}); empty to run java directly
     * @param jvmOptions options for the JVM, before the class name
     * @param environment variables added to this process's environment
     */
    public record Options(List<String> launcher, List<String> jvmOptions, Map<String, String> environment) {
        public static final Options DEFAULT = new Options(List.of(), List.of(), Map.of());
    }

    /** Starts {@code mainClass} with {@code args}, logging to {@code log}. */
    public static ChildJvm start(Path log, String mainClass, List<String> args) {
        return start(log, Options.DEFAULT, mainClass, args);
    }

    /** Starts {@code mainClass} with {@code args} as {@code options} say, logging to {@code log}. */
    public static ChildJvm start(Path log, Options options, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(options.launcher());
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(options.jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(options.environment());
            return new ChildJvm(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + mainClass, e);
        }
    }

    /** SIGKILL: the process dies at once, mid-whatever it was doing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the process shuts down cleanly; waits for it. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The child JVM did not stop within 60 s of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    /** Waits up to {@code timeout} for the process to end by itself; its exit code, or empty if it still runs. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /**
     * Asks the JVM for a dump of its threads (SIGQUIT), which it prints to its log, and waits a moment for it: what a
     * test records before it gives up on a process that neither finishes nor fails.
     */
    public void dumpThreads() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot signal the child JVM", e);
        }
        Thread.sleep(2_000);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
