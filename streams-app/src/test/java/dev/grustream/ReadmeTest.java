package dev.grustream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README is a contract: its commands and its configuration reference must match the code. */
class ReadmeTest {
    private static final Path ROOT = Path.of("..");

    private static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }

    @Test
    void configurationTableIsTheOneTheCodeDefines() throws IOException {
        String readme = readme();
        String start = "<!-- config-table:start -->\n";
        String end = "<!-- config-table:end -->";
        assertThat(readme).contains(start, end);
        String table = readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));

        assertThat(table)
                .as("README configuration table; regenerate it from GruStreamConfig.describe():%n%s",
                        GruStreamConfig.describe())
                .isEqualTo(GruStreamConfig.describe());
    }

    @Test
    void quickStartHasTheTwoCommands() throws IOException {
        assertThat(readme()).contains("./gru-stream demo").contains("mvn verify");
    }

    @Test
    void ciRunsTheReadmeTestCommand() throws IOException {
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).containsPattern("mvn [-A-Za-z ]*verify");
        assertThat(ROOT.resolve("gru-stream")).isExecutable();
    }
}
