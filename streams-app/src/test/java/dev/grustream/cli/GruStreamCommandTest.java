package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.OperatorException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line as a whole: its help, and how it reports errors. */
class GruStreamCommandTest {

    @Command(name = "fails")
    static final class Failing implements Runnable {
        private final RuntimeException error;

        Failing(RuntimeException error) {
            this.error = error;
        }

        @Override
        public void run() {
            throw error;
        }
    }

    @Command(name = "breaks")
    static final class Breaking implements Runnable {
        @Override
        public void run() {
            throw new LinkageError("a native library did not load");
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandWithACompleteSentence() {
        CommandLine commandLine = GruStreamCommand.commandLine();
        String help = run(commandLine, "--help").out().replaceAll("\\s+", " ");

        assertThat(commandLine.getSubcommands()).containsKeys("run", "train", "model", "help");
        commandLine.getSubcommands().forEach((name, command) -> {
            if (!name.equals("help")) {
                String summary = command.getCommandSpec().usageMessage().header()[0];
                assertThat(summary).as(name).matches("[A-Z].*\\.");
                assertThat(help).contains(" " + name + " " + summary);
            }
        });
    }

    @Test
    void everyCommandPrintsTheVersion() {
        CommandLine commandLine = GruStreamCommand.commandLine();
        String version = run(GruStreamCommand.commandLine(), "--version").out();

        assertThat(version).startsWith("gru-stream ");
        for (String[] command : new String[][] {{"run"}, {"train"}, {"model"}, {"model", "publish"}}) {
            String[] args = Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--version";
            assertThat(run(commandLine, args).out()).as(String.join(" ", command)).isEqualTo(version);
        }
    }

    @Test
    void anErrorTheUserCanFixIsOneLineAndExitCodeTwo() {
        CommandLine commandLine = GruStreamCommand.commandLine()
                .addSubcommand(new Failing(new OperatorException("topic x does not exist; create it")));

        Run failed = run(commandLine, "fails");

        assertThat(failed.exitCode()).isEqualTo(2);
        assertThat(failed.err()).isEqualTo("gru-stream fails: topic x does not exist; create it"
                + System.lineSeparator());
    }

    @Test
    void aBugPrintsItsStackTraceAndExitCodeOne() {
        CommandLine commandLine = GruStreamCommand.commandLine()
                .addSubcommand(new Failing(new IllegalStateException("an invariant broke")));

        Run failed = run(commandLine, "fails");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("internal error, a bug in gru-stream")
                .contains("java.lang.IllegalStateException: an invariant broke")
                .contains("at dev.grustream.cli.GruStreamCommandTest");
    }

    @Test
    void anErrorPicocliPassesOnIsPrintedAndEndsInExitCodeOne() {
        CommandLine commandLine = GruStreamCommand.commandLine().addSubcommand(new Breaking());
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err));

        int exitCode = GruStreamCommand.execute(commandLine, new String[] {"breaks"});

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).contains("fatal error")
                .contains("java.lang.LinkageError: a native library did not load");
    }
}
