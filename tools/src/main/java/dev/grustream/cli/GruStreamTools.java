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
        System.exit(commandLine().execute(args));
    }

    /** The whole command line, tools included. */
    public static CommandLine commandLine() {
        return GruStreamCommand.commandLine(new DemoCommand(), new BacktestCommand(), new NabEvalCommand(),
                new GenerateCommand(), new BenchCommand(), new SoakCommand(), new BrokerCommand());
    }
}
