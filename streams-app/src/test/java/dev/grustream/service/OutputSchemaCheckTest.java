package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.sun.net.httpserver.HttpServer;
import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.model.ModelSpec;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.FixedAnswers;
import dev.grustream.testing.Logs;
import dev.grustream.testing.SelfSignedTls;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start's check that the registry takes the output topics' value schemas. */
class OutputSchemaCheckTest {
    private static final String SCOPE = "output-schema-check";
    private static final ModelSpec MODEL = TestingModels.persistence("1").spec();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private static Topics topics(String... settings) {
        Map<String, String> config = new HashMap<>(Map.of("bootstrap.servers", "localhost:1",
                "schema.registry.url", "mock://" + SCOPE));
        for (int i = 0; i < settings.length; i += 2) {
            config.put(settings[i], settings[i + 1]);
        }
        return Topics.from(new GruStreamConfig(config));
    }

    @Test
    void registersBothOutputSchemasAsTheFirstOutputsWould() {
        OutputSchemaCheck.check(topics(), MODEL, WAIT);

        assertThat(MockSchemaRegistry.clientForScope(SCOPE).getLatestSchemaMetadata("forecasts-value").schema()
                .getFullName()).isEqualTo("dev.grustream.avro.Forecast");
        assertThat(MockSchemaRegistry.clientForScope(SCOPE).getLatestSchemaMetadata("alerts-value").schema()
                .getFullName()).isEqualTo("dev.grustream.avro.AnomalyAlert");
    }

    @Test
    void aSubjectMissingWithoutAutoRegistrationStopsTheStartNamingTheTopic() {
        assertThatThrownBy(() -> OutputSchemaCheck.check(topics("auto.register.schemas", "false"), MODEL, WAIT))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("The output topic ")
                .hasMessageContaining("cannot find schema")
                .hasMessageContaining("auto.register.schemas");
    }

    @Test
    void aSchemaTheSubjectsCompatibilityRefusesStopsTheStart() {
        Schema other = SchemaBuilder.record("Forecast").namespace("dev.grustream.avro").fields()
                .requiredInt("key").endRecord();
        MockSchemaRegistry.clientForScope(SCOPE).register("alerts-value", other);

        assertThatThrownBy(() -> OutputSchemaCheck.check(topics(), MODEL, WAIT))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("The output topic alerts cannot be written");
    }

    @Test
    void aFlatLayoutOnATopicOfNestedForecastsStopsTheStart() {
        MockSchemaRegistry.clientForScope(SCOPE).register("forecasts-value", Forecast.getClassSchema());

        assertThatThrownBy(() -> OutputSchemaCheck.check(topics("output.layout", "flat"), MODEL, WAIT))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("The output topic forecasts cannot be written");
    }

    @Test
    void aRegistryAnsweringThatItCannotNowIsWarnedAboutAndTheStartGoesOn() throws IOException {
        HttpServer registry = FixedAnswers.answering(503, "{\"error_code\": 50301, \"message\": \"Store not ready\"}",
                REGISTRY_JSON);
        try {
            Topics topics = topicsAt(registry);

            List<ILoggingEvent> logged = Logs.of(OutputSchemaCheck.class,
                    () -> OutputSchemaCheck.check(topics, MODEL, WAIT));

            assertThat(logged).hasSize(2).allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("could not take the value schema"));
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void aRegistryRefusingTheCredentialsStopsTheStart() throws IOException {
        HttpServer registry = FixedAnswers.answering(401, "{\"error_code\": 40101, \"message\": \"Unauthorized\"}",
                REGISTRY_JSON);
        try {
            Topics topics = topicsAt(registry);

            assertThatThrownBy(() -> OutputSchemaCheck.check(topics, MODEL, WAIT))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("The output topic forecasts cannot be written")
                    .hasMessageContaining("401");
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void aRegistryWhoseCertificateIsNotTrustedStopsTheStart(@TempDir Path dir) throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir, "changeit");
        try (InMemorySchemaRegistryServer registry = InMemorySchemaRegistryServer.startHttps(0, tls.serverContext())) {
            Topics topics = topics("schema.registry.url", registry.url(), "max.retries", "0");

            assertThatThrownBy(() -> OutputSchemaCheck.check(topics, MODEL, WAIT))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("The output topic forecasts cannot be written")
                    .hasMessageContaining("TLS handshake");
        }
    }

    /** Topics whose serializers ask {@code registry} once, with no retry. */
    private static Topics topicsAt(HttpServer registry) {
        return topics("schema.registry.url", "http://127.0.0.1:" + registry.getAddress().getPort(), "max.retries",
                "0");
    }

    @Test
    void aRegistryNobodyListensOnIsWarnedAboutAndTheStartGoesOn() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Topics topics = topics("schema.registry.url", "http://127.0.0.1:" + closedPort, "max.retries", "0");

        List<ILoggingEvent> logged = Logs.of(OutputSchemaCheck.class,
                () -> OutputSchemaCheck.check(topics, MODEL, WAIT));

        assertThat(logged).hasSize(2).allSatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("could not take the value schema"));
    }

    @Test
    void aRegistryThatNeverAnswersHoldsTheStartOnlyForTheWait() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Connections are accepted by the operating system's backlog and never answered.
            Topics topics = topics("schema.registry.url", "http://127.0.0.1:" + silent.getLocalPort());

            List<ILoggingEvent> logged = Logs.of(OutputSchemaCheck.class,
                    () -> OutputSchemaCheck.check(topics, MODEL, Duration.ofMillis(200)));

            assertThat(logged).hasSize(2).allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("did not answer within"));
        }
    }
}
