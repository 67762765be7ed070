package dev.grustream.cli;

import dev.grustream.model.ModelFormatException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gru-stream} command line: {@code gru-stream <command> [options]}, {@code --help} on every command.
 */
@Command(name = "gru-stream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Live GRU forecasts and anomaly alerts on Kafka event streams.",
        subcommands = {DemoCommand.class, RunCommand.class, BacktestCommand.class, NabEvalCommand.class,
                TrainCommand.class, GenerateCommand.class, ModelCommand.class, BenchCommand.class, SoakCommand.class,
                BrokerCommand.class,
                CommandLine.HelpCommand.class})
public final class GruStreamCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, with errors in the user's input (configuration, model, files, topics) reported as one clear
     * line and exit code 2 rather than a stack trace.
     */
    static CommandLine commandLine() {
        return new CommandLine(new GruStreamCommand()).setExecutionExceptionHandler((error, command, parsed) -> {
            if (isUserError(error)) {
                command.getErr().println("gru-stream " + command.getCommandName() + ": " + error.getMessage());
                return 2;
            }
            throw error;
        });
    }

    private static boolean isUserError(Exception error) {
        return error instanceof ConfigException || error instanceof ModelFormatException
                || error instanceof UncheckedIOException || error instanceof IllegalStateException
                || error instanceof IllegalArgumentException;
    }
}
