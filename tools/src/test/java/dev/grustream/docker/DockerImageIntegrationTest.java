package dev.grustream.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.ModelWriter;
import dev.grustream.service.ModelTopic;
import dev.grustream.testing.TestingModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.MountableFile;

/**
 * Builds the image from {@code docker/Dockerfile} and runs it against Kafka in a container: it must become healthy
 * and ready, serve its model, and forecast the observations sent to it. Where no Docker engine exists it is skipped
 * cleanly.
 */
@Tag("integration")
@Timeout(1800)
@Testcontainers(disabledWithoutDocker = true)
class DockerImageIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void theImageRunsTheServiceAgainstKafka() throws Exception {
        Path modelDir = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), modelDir);
        Path model = Files.write(dir.resolve("model.zip"), ModelTopic.zipOf(modelDir));
        Path root = DockerFiles.root();
        // The repository is the build context, as for `docker build -f docker/Dockerfile .`; withDockerfile(Path)
        // alone would make the Dockerfile's own folder the context, where COPY pom.xml finds nothing.
        ImageFromDockerfile image = new ImageFromDockerfile("gru-stream-image-test", true)
                .withBuildImageCmdModifier(build -> build.withBaseDirectory(root.toFile())
                        .withDockerfile(root.resolve("docker/Dockerfile").toFile()));
        try (Network network = Network.newNetwork();
                KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.0").withNetwork(network)
                        .withListener("kafka:19092");
                GenericContainer<?> app = new GenericContainer<>(image).withNetwork(network)
                        .withCopyFileToContainer(MountableFile.forHostPath(model), "/tmp/model.zip")
                        .withEnv("GRU_STREAM_BOOTSTRAP_SERVERS", "kafka:19092")
                        .withEnv("GRU_STREAM_SCHEMA_REGISTRY_URL", "mock://image-test")
                        .withEnv("GRU_STREAM_MODEL_PATH", "/tmp/model.zip")
                        .withEnv("GRU_STREAM_HTTP_ADVERTISED_HOST", "gru-stream")
                        // JSON in and out, so that this test reads and writes without the container's registry.
                        .withEnv("GRU_STREAM_INPUT_FORMAT", "json")
                        .withEnv("GRU_STREAM_OUTPUT_FORMAT", "json")
                        .withCommand("run", "--create-topics")
                        .withExposedPorts(8080)
                        .waitingFor(Wait.forHttp("/health/ready").forStatusCode(200)
                                .withStartupTimeout(Duration.ofMinutes(3)))) {
            kafka.start();
            app.dependsOn(kafka).start();
            String base = "http://" + app.getHost() + ":" + app.getMappedPort(8080);
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> model1 = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/model")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(model1.body()).contains("\"name\":\"persistence\"", "\"version\":\"1\"");
            assertThat(app.getCurrentContainerInfo().getConfig().getUser()).isEqualTo("gru");
            assertThat(forecastsOf(kafka.getBootstrapServers(), 3)).as("forecasts of the observations sent")
                    .hasSize(3).allSatisfy(forecast -> assertThat(forecast.key()).isEqualTo("k"));
        }
    }

    /** Sends {@code count} JSON observations of key "k", a minute apart, and reads the forecasts they give. */
    private static List<ConsumerRecord<String, String>> forecastsOf(String bootstrapServers, int count) {
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>("observations", null, now - (count - i) * 60_000L, "k",
                        "{\"value\": " + (1.5 + i) + "}"));
            }
        }
        List<ConsumerRecord<String, String>> forecasts = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "image-test-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("forecasts"));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (forecasts.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(forecasts::add);
            }
        }
        return forecasts;
    }
}
