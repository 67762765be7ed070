package dev.grustream.cli;

import dev.grustream.config.OperatorException;
import dev.grustream.model.ModelFormatException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code gru-stream} command line: {@code gru-stream <command> [options]}, {@code --help} on every command.
 */
@Command(name = "gru-stream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Live GRU forecasts and anomaly alerts on Kafka event streams.",
        subcommands = {RunCommand.class, TrainCommand.class, ModelCommand.class})
public final class GruStreamCommand implements Runnable {
    /** Columns of {@code --help}. */
    private static final int USAGE_WIDTH = 120;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /**
     * Runs {@code args} on {@code commandLine} and returns the exit code; an {@link Error}, which picocli passes on,
     * is printed and gives 1, so that {@code main} still exits: threads a failed start left behind (the HTTP
     * server's) are not daemons and would keep the process up, idle and reporting itself live.
     */
    static int execute(CommandLine commandLine, String[] args) {
        try {
            return commandLine.execute(args);
        } catch (Error e) {
            PrintWriter err = commandLine.getErr();
            err.println("gru-stream: fatal error, a bug in gru-stream or its platform (please report it with this"
                    + " trace):");
            e.printStackTrace(err);
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /**
     * The command line with {@code commands} added after the service's own ({@code run}, {@code train},
     * {@code model}) and before {@code help}: how the tools module adds its commands.
     */
    public static CommandLine commandLine(Object... commands) {
        CommandLine commandLine = service();
        for (Object command : commands) {
            commandLine.addSubcommand(command);
        }
        shareVersion(commandLine, new VersionProvider());
        // The descriptions are written as lines of up to about 110 characters; at picocli's default width of 80
        // each would be wrapped on its own, leaving ragged half-lines.
        return commandLine.addSubcommand(new CommandLine.HelpCommand()).setUsageHelpWidth(USAGE_WIDTH);
    }

    /**
     * Gives every command below {@code command} the version: picocli does not pass a version provider down, and a
     * command's {@code --version} would otherwise print nothing.
     */
    private static void shareVersion(CommandLine command, CommandLine.IVersionProvider version) {
        for (CommandLine subcommand : command.getSubcommands().values()) {
            subcommand.getCommandSpec().versionProvider(version);
            shareVersion(subcommand, version);
        }
    }

    /**
     * The service's command line, without {@code help}. Errors the user can fix (settings, model files, input files
     * and arguments, the cluster: {@link OperatorException} and its like) are reported as one line with exit code 2;
     * anything else is a bug in gru-stream, reported with its stack trace and exit code 1.
     */
    private static CommandLine service() {
        return new CommandLine(new GruStreamCommand()).setExecutionExceptionHandler((error, command, parsed) -> {
            PrintWriter err = command.getErr();
            if (isUserError(error)) {
                err.println("gru-stream " + command.getCommandName() + ": " + error.getMessage());
                return 2;
            }
            err.println("gru-stream " + command.getCommandName() + ": internal error, a bug in gru-stream (please"
                    + " report it with this trace):");
            error.printStackTrace(err);
            err.flush();
            return 1;
        });
    }

    private static boolean isUserError(Exception error) {
        return error instanceof OperatorException || error instanceof ConfigException
                || error instanceof ModelFormatException || error instanceof UncheckedIOException
                || error instanceof IllegalArgumentException;
    }
}
