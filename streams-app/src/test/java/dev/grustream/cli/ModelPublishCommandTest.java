package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gru-stream model publish} refusing what it cannot publish, before it connects to anything. */
class ModelPublishCommandTest {
    @TempDir
    Path dir;

    private final CapturedCommandLine commandLine = new CapturedCommandLine();

    private int run(String... args) {
        return commandLine.run(args);
    }

    @Test
    void refusesToPublishWithoutAModelsTopic() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("2"), model);

        assertThat(run("model", "publish", "--file", model.toString())).isEqualTo(2);
        assertThat(commandLine.err()).contains("model.topic is not set");
    }

    @Test
    void refusesAModelTheInstancesWouldSkipForItsName() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("2"), model);

        assertThat(run("model", "publish", "--file", model.toString(), "--set", "model.topic=models", "--set",
                "model.name=latency")).isEqualTo(2);
        assertThat(commandLine.err()).contains("named 'persistence' but model.name is 'latency'");
    }

    @Test
    void refusesAModelTheInstancesWouldRefuse() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.overflowing("2"), model);

        // Nothing listens on port 1: the refusal comes before any connection.
        assertThat(run("model", "publish", "--file", model.toString(), "--set", "model.topic=models", "--set",
                "bootstrap.servers=127.0.0.1:1")).isEqualTo(2);
        assertThat(commandLine.err()).contains("the instances would refuse the model").contains("not a finite number");
    }

    @Test
    void refusesAReplicationFactorForATopicItIsNotToCreate() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("2"), model);

        assertThat(run("model", "publish", "--file", model.toString(), "--set", "model.topic=models",
                "--replication-factor", "3", "--set", "bootstrap.servers=127.0.0.1:1")).isEqualTo(2);
        assertThat(commandLine.err()).contains("--replication-factor applies only with --create-topic");
    }

    @Test
    void refusesAnInvalidModelNamingTheProblem() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.zip"), "not a zip");

        assertThat(run("model", "publish", "--file", broken.toString(), "--set", "model.topic=models")).isEqualTo(2);
        assertThat(commandLine.err()).contains("model.json");
    }

    @Test
    void refusesAModelLargerThanTheTopicAllows() throws Exception {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("2"), model);
        byte[] incompressible = new byte[2 << 20];
        new Random(7).nextBytes(incompressible);
        // A zip is sent as it is, other files and all (a directory's would be left out).
        Path big = dir.resolve("big.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(big));
                Stream<Path> files = Files.list(model)) {
            for (Path file : files.toList()) {
                zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, zip);
            }
            zip.putNextEntry(new ZipEntry("padding.bin"));
            zip.write(incompressible);
        }

        assertThat(run("model", "publish", "--file", big.toString(), "--set", "model.topic=models",
                "--set", "model.topic.max.bytes=1048576")).isEqualTo(2);
        assertThat(commandLine.err()).contains("more than model.topic.max.bytes");
    }

    @Test
    void modelWithoutASubcommandIsAUsageError() {
        assertThat(run("model")).isEqualTo(2);
        assertThat(commandLine.err()).contains("publish");
    }
}
