package dev.grustream.cli;

import picocli.CommandLine;

/**
 * The {@code gru-stream} command line with the tools that run beside the service: {@code demo}, {@code backtest},
 * {@code nab-eval}, {@code generate}, {@code bench}, {@code soak}, {@code broker}, after the service's own
 * {@code run}, {@code train} and {@code model}. What {@code ./gru-stream} runs; the container image runs
 * {@link GruStreamCommand} alone.
 */
public final class GruStreamTools {

    private GruStreamTools() {
    }

    public static void main(String[] args) {
        // bench and soak run a broker, a service and a load generator in JVMs of their own: a signal to this JVM
        // alone (kill, a supervisor's SIGTERM) must not leave them running. A command that ends stops its own.
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy), "tools-children"));
        System.exit(GruStreamCommand.execute(commandLine(), args));
    }

    /** The whole command line, tools included. */
    public static CommandLine commandLine() {
        return GruStreamCommand.commandLine(new DemoCommand(), new BacktestCommand(), new NabEvalCommand(),
                new GenerateCommand(), new BenchCommand(), new SoakCommand(), new BrokerCommand());
    }
}
