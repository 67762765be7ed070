package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The whole command line of {@code ./gru-stream}: the service's commands, then the tools, then help. */
class GruStreamToolsTest {

    @Test
    void listsTheServicesCommandsThenTheToolsEachWithACompleteSentence() {
        CommandLine commandLine = GruStreamTools.commandLine();
        StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out)).execute("--help");
        String help = out.toString().replaceAll("\\s+", " ");

        assertThat(List.copyOf(commandLine.getSubcommands().keySet())).containsExactly("run", "train", "model",
                "demo", "backtest", "nab-eval", "generate", "bench", "soak", "broker", "help");
        commandLine.getSubcommands().forEach((name, command) -> {
            if (!name.equals("help")) {
                String summary = command.getCommandSpec().usageMessage().header()[0];
                assertThat(summary).as(name).matches("[A-Z].*\\.");
                assertThat(help).contains(" " + name + " " + summary);
            }
        });
    }
}
