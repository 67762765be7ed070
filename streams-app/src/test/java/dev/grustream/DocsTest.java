package dev.grustream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README and docs/ are a contract: their commands, links and configuration reference must match the project. */
class DocsTest {
    private static final Path ROOT = Path.of("..");

    private static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    @Test
    void configurationTableIsTheOneTheCodeDefines() throws IOException {
        String page = read("docs/configuration.md");
        String start = "<!-- config-table:start -->\n";
        String end = "<!-- config-table:end -->";
        assertThat(page).contains(start, end);
        String table = page.substring(page.indexOf(start) + start.length(), page.indexOf(end));

        assertThat(table)
                .as("docs/configuration.md's table; regenerate it from GruStreamConfig.describe():%n%s",
                        GruStreamConfig.describe())
                .isEqualTo(GruStreamConfig.describe());
    }

    @Test
    void configurationNamesTheKafkaStreamsDefaultsGruStreamChanges() throws IOException {
        String page = read("docs/configuration.md");

        GruStreamConfig.STREAMS_DEFAULTS.forEach((key, value) -> assertThat(page)
                .contains("`" + key + "` is `" + value + "`"));
    }

    @Test
    void quickStartHasTheTwoCommands() throws IOException {
        assertThat(read("README.md")).contains("./gru-stream demo").contains("mvn verify");
    }

    @Test
    void ciRunsTheReadmeTestCommand() throws IOException {
        assertThat(read(".ci/run")).containsPattern("mvn [-A-Za-z ]*verify");
        assertThat(ROOT.resolve("gru-stream")).isExecutable();
    }

    @Test
    void everyRelativeLinkOfTheReadmeAndDocsLeadsToAFile() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
        for (Path page : pages()) {
            Matcher matcher = link.matcher(Files.readString(page));
            while (matcher.find()) {
                assertThat(page.getParent().resolve(matcher.group(1))).as("link %s in %s", matcher.group(1), page)
                        .exists();
            }
        }
    }

    @Test
    void theReadmeStaysShort() throws IOException {
        assertThat(read("README.md").lines().count()).isLessThanOrEqualTo(250);
    }

    @Test
    void nothingAUserReadsPointsOutsideTheRepository() throws IOException {
        for (Path page : pages()) {
            assertThat(Files.readString(page)).as(page.toString()).doesNotContain("../shared");
        }
    }

    private static List<Path> pages() throws IOException {
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            return Stream.concat(Stream.of(ROOT.resolve("README.md"), ROOT.resolve("docker/README.md")),
                    docs.filter(path -> path.toString().endsWith(".md")).sorted()).toList();
        }
    }
}
