package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Observation;
import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.model.ModelWriter;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.TestingModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Tag("integration")
@Timeout(180)
class DemoCommandTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        return run(0, args);
    }

    /** Runs {@code args}, expects {@code exit}, and returns what was written to both streams. */
    private String run(int exit, String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        assertThat(command.execute(args)).as("exit code; output:%n%s", out).isEqualTo(exit);
        return out.toString();
    }

    @Test
    void aModelOfFeaturesTheSeriesDoNotSendIsRefusedBeforeAnythingStarts() throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1", 1, "value", "other"), model);

        String output = run(2, "demo", "--model", model.toString(), "--duration", "5");

        assertThat(output).contains("the demo's series send one feature, 'value', and the model persistence reads"
                + " [value, other]").doesNotContain("observations sent");
    }

    @Test
    void aDemoThatSeesNoForecastSaysSoAndFails() throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), model);

        // Every observation is larger than this, and so dead-lettered.
        String output = run(1, "demo", "--model", model.toString(), "--duration", "8", "--keys", "2", "--rate", "20",
                "--http-port", "0", "--set", "input.max.value.bytes=10");

        assertThat(output).containsPattern("\\d+ observations sent, 0 forecasts, 0 alerts and [1-9]\\d* dead letters")
                .contains("gru-stream demo: no forecast was seen for the").doesNotContain("stopped cleanly");
    }

    @Test
    void demoShowsForecastsAndStopsCleanly() throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), model);

        String output = run("demo", "--model", model.toString(), "--duration", "12", "--keys", "3", "--rate", "60",
                "--http-port", "0");

        Matcher summary = Pattern.compile("(\\d+) observations sent, (\\d+) forecasts").matcher(output);
        assertThat(summary.find()).as(output).isTrue();
        assertThat(Long.parseLong(summary.group(2))).isPositive();
        assertThat(output).contains("events in").contains("gru-stream demo: stopped cleanly");
    }

    @Test
    void aDemoBesideSomethingOnPort8080ServesHttpOnAFreePortAndSaysWhich() throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), model);
        try (ServerSocket taken = new ServerSocket()) {
            try {
                taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), DemoCommand.DEFAULT_HTTP_PORT));
            } catch (BindException e) {
                // Something here holds it already, which is the case under test.
            }

            String output = run("demo", "--model", model.toString(), "--duration", "8", "--keys", "2", "--rate",
                    "20");

            Matcher http = Pattern.compile("HTTP http://localhost:(\\d+)").matcher(output);
            assertThat(http.find()).as(output).isTrue();
            assertThat(Integer.parseInt(http.group(1))).isNotEqualTo(DemoCommand.DEFAULT_HTTP_PORT);
        }
    }

    @Test
    void generateProducesObservationsToAnExistingCluster() throws Exception {
        String scope = "generate-test";
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().start()) {
            kafka.createTopics(Map.of("generated", 1));

            run("generate", "--duration", "3", "--keys", "2", "--rate", "50",
                    "--set", "bootstrap.servers=" + kafka.bootstrapServers(),
                    "--set", "schema.registry.url=mock://" + scope,
                    "--set", "topic.observations=generated");

            KafkaTestSupport support = new KafkaTestSupport(kafka.bootstrapServers(), "mock://" + scope);
            var observations = support.readCommitted("generated",
                    support.serde(Observation.class).deserializer(), 50, Duration.ofSeconds(30));
            assertThat(observations).hasSizeGreaterThanOrEqualTo(50);
            assertThat(observations).extracting(r -> r.key()).contains("series-0000", "series-0001");
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }
}
