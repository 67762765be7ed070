package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gru-stream run} refusing what it cannot use (options, a state directory) before it connects to anything. */
class RunCommandTest {
    @TempDir
    Path dir;

    private final CapturedCommandLine commandLine = new CapturedCommandLine();

    private int run(String... args) {
        return commandLine.run(args);
    }

    @Test
    void aStateDirectoryThatIsAFileStopsTheStartWithOneClearLine() throws Exception {
        Path file = Files.writeString(dir.resolve("state"), "not a directory");

        assertThat(run("run", "--set", "state.dir=" + file, "--set", "http.enabled=false",
                "--set", "bootstrap.servers=localhost:1", "--set", "schema.registry.url=mock://run-command-test"))
                .isEqualTo(2);
        assertThat(commandLine.err()).contains("state.dir").contains(file.toString())
                .contains("it is a file, not a directory").doesNotContain("\tat ");
    }

    @Test
    void aStateDirectoryUnderAFileStopsTheStartWithOneClearLine() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");

        assertThat(run("run", "--set", "state.dir=" + file.resolve("state"), "--set", "http.enabled=false",
                "--set", "bootstrap.servers=localhost:1", "--set", "schema.registry.url=mock://run-command-test"))
                .isEqualTo(2);
        assertThat(commandLine.err()).contains("state.dir").contains("Not a directory").doesNotContain("\tat ");
    }

    @Test
    void partitionsWithoutCreateTopicsAreAUserError() {
        assertThat(run("run", "--partitions", "3", "--set", "http.enabled=false",
                "--set", "bootstrap.servers=localhost:1", "--set", "schema.registry.url=mock://run-command-test"))
                .isEqualTo(2);
        assertThat(commandLine.err()).contains("--partitions and --replication-factor apply only with --create-topics")
                .doesNotContain("\tat ");
    }

    @Test
    void theReplicationFactorOfCreatedTopicsAlsoReplicatesTheChangelogs() {
        RunCommand command = creatingTopics(null, (short) 3);

        assertThat(command.settings().passThrough()).containsEntry("replication.factor", "3");
    }

    @Test
    void aReplicationFactorTheSettingsGiveIsKept() {
        RunCommand command = creatingTopics("2", (short) 3);

        assertThat(command.settings().passThrough()).containsEntry("replication.factor", "2");
    }

    @Test
    void createdTopicsTakeTheReplicationFactorTheSettingsGive() {
        RunCommand command = creatingTopics("2", null);

        assertThat(command.topicCreation(command.settings()).replicationFactor()).contains((short) 2);
    }

    @Test
    void theReplicationFactorOptionOutranksTheSettingsForCreatedTopics() {
        RunCommand command = creatingTopics("2", (short) 3);

        assertThat(command.topicCreation(command.settings()).replicationFactor()).contains((short) 3);
    }

    /** {@code run --create-topics}, with {@code replication.factor} set if given and {@code --replication-factor}. */
    private static RunCommand creatingTopics(String replicationFactorSetting, Short replicationFactorOption) {
        RunCommand command = new RunCommand();
        command.config = new ConfigOptions();
        if (replicationFactorSetting != null) {
            command.config.overrides.put("replication.factor", replicationFactorSetting);
        }
        command.createTopics = true;
        command.replicationFactor = replicationFactorOption;
        return command;
    }
}
