package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.testing.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gru-stream broker}, in a JVM of its own, as a user starts it to try {@code run} on their own data. */
@Tag("integration")
@Timeout(180)
class BrokerCommandIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void withARegistryPortItAlsoServesASchemaRegistryThere() throws Exception {
        int registryPort = BenchCommand.freePort();

        try (ChildJvm broker = ChildJvm.start(dir.resolve("broker.log"), GruStreamTools.class.getName(),
                List.of("broker", "--port", String.valueOf(BenchCommand.freePort()),
                        "--registry-port", String.valueOf(registryPort)))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> broker.log().contains(BrokerCommand.READY));
            HttpResponse<String> registered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + registryPort + "/subjects/readings-value/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\": \"\\\"string\\\"\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(broker.log()).contains(BrokerCommand.REGISTRY + "http://127.0.0.1:" + registryPort);
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            assertThat(registered.body()).matches("\\{\"id\": ?\\d+}");
        }
    }
}
