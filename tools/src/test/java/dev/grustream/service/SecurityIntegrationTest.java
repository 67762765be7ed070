package dev.grustream.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.grustream.avro.Forecast;
import dev.grustream.cli.GruStreamCommand;
import dev.grustream.cli.GruStreamTools;
import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.model.ModelWriter;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import dev.grustream.testing.ChildJvm;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SelfSignedTls;
import dev.grustream.testing.TestingModels;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Kafka and Schema Registry credentials pass straight through the configuration: an instance (a JVM of its own)
 * reaches a broker listener that requires SASL/SCRAM-SHA-256 over TLS (SASL_SSL, the broker's certificate trusted
 * through a trust store) and a registry behind HTTP basic auth when given the
 * credentials, stops at once with a clear error when given wrong ones (without dead-lettering anything), and never
 * prints a secret, however it was given (properties file, environment, command line), even with Kafka's clients
 * logging at INFO.
 */
@Tag("integration")
@Timeout(300)
class SecurityIntegrationTest {
    private static final String KAFKA_USER = "gru-service";
    private static final String KAFKA_PASSWORD = "kafka-pw-7f3a9c";
    private static final String REGISTRY_USER = "registry-user";
    private static final String REGISTRY_PASSWORD = "registry-pw-51e2d8";
    private static final String TRUSTSTORE_PASSWORD = "truststore-pw-c04b6e";
    private static final String URL_PASSWORD = "url-pw-93aa17";
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tlsDir;
    private static SelfSignedTls tls;
    private static EmbeddedKafkaCluster cluster;
    private static InMemorySchemaRegistryServer registry;
    private static WireMockServer securedRegistry;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        tls = SelfSignedTls.create(tlsDir, TRUSTSTORE_PASSWORD);
        cluster = EmbeddedKafkaCluster.builder().scramOverTls(tls.keyStore(), tls.trustStore(), TRUSTSTORE_PASSWORD)
                .start();
        cluster.createScramUser(KAFKA_USER, KAFKA_PASSWORD);
        registry = InMemorySchemaRegistryServer.start(0);
        // The registry behind basic auth: requests with the credentials are passed on, all others refused.
        securedRegistry = new WireMockServer(WireMockConfiguration.wireMockConfig().dynamicPort());
        securedRegistry.start();
        securedRegistry.stubFor(any(anyUrl()).atPriority(1).withBasicAuth(REGISTRY_USER, REGISTRY_PASSWORD)
                .willReturn(aResponse().proxiedFrom(registry.url())));
        securedRegistry.stubFor(any(anyUrl()).atPriority(2).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/vnd.schemaregistry.v1+json")
                .withBody("{\"error_code\": 40101, \"message\": \"Unauthorized\"}")));
    }

    @AfterAll
    static void stopCluster() {
        securedRegistry.stop();
        registry.close();
        cluster.close();
    }

    @Test
    void withTheCredentialsTheServiceWorksAndNoSecretIsEverPrinted() throws Exception {
        String id = newTopics();
        Path file = Files.writeString(dir.resolve("gru-stream.properties"), String.join("\n",
                "ssl.truststore.password=" + TRUSTSTORE_PASSWORD,
                "basic.auth.credentials.source=USER_INFO",
                "basic.auth.user.info=" + REGISTRY_USER + ":" + REGISTRY_PASSWORD,
                ""));
        List<String> args = new ArrayList<>(args(id));
        args.addAll(List.of("--config", file.toString(),
                "--set", "security.protocol=SASL_SSL",
                "--set", "sasl.mechanism=SCRAM-SHA-256",
                "--set", "audit.sink.url=https://auditor:" + URL_PASSWORD + "@audit.example.com/in"));
        Map<String, String> environment = Map.of("GRU_STREAM_SASL_JAAS_CONFIG", jaas(KAFKA_PASSWORD),
                // Everything at INFO, Kafka's clients included (their configuration dumps), gru-stream's at DEBUG.
                "GRU_STREAM_LOG_LEVEL", "DEBUG", "GRU_STREAM_KAFKA_LOG_LEVEL", "INFO");
        KafkaTestSupport kafka = new KafkaTestSupport(cluster.bootstrapServers(), registry.url());
        List<Input> inputs = inputs(3, 20);

        String log;
        try (ChildJvm service = ChildJvm.start(dir.resolve("secured.log"), withProductionLogging(environment),
                main(), args)) {
            kafka.produce("observations-" + id, inputs);
            List<ConsumerRecord<String, Forecast>> forecasts = kafka.forecasts("forecasts-" + id, inputs.size(),
                    WAIT);
            assertThat(forecasts).as("forecasts; the instance's log:%n%s", service.log()).hasSize(inputs.size());
            assertThat(service.stop()).as("exit code after SIGTERM (the JVM's: 128 + 15)").isEqualTo(143);
            log = service.log();
        }

        assertThat(log).contains("Configuration (secrets hidden)").contains("[hidden]")
                .contains("ProducerConfig values").contains("sasl.jaas.config = [hidden]")
                .contains("security.protocol = SASL_SSL");
        for (String secret : List.of(KAFKA_PASSWORD, REGISTRY_PASSWORD, TRUSTSTORE_PASSWORD, URL_PASSWORD,
                Base64.getEncoder().encodeToString((REGISTRY_USER + ":" + REGISTRY_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))) {
            assertThat(log).as("the log must not contain the secret %s", secret).doesNotContain(secret);
        }
        securedRegistry.verify(anyRequestedFor(anyUrl()).withBasicAuth(new BasicCredentials(REGISTRY_USER,
                REGISTRY_PASSWORD)));
        assertThat(securedRegistry.findAll(anyRequestedFor(anyUrl()).withoutHeader("Authorization")))
                .as("registry requests without credentials").isEmpty();
    }

    @Test
    void aWrongKafkaPasswordStopsTheStartWithAClearError() throws Exception {
        String id = newTopicsWithObservations();
        List<String> args = securedArgs(id, true, "not-the-password", REGISTRY_PASSWORD);

        assertThat(logOfAFailedStart("wrong-kafka.log", args, 2)).contains("Authentication failed")
                .doesNotContain("not-the-password");
        assertNothingWritten(id);
    }

    @Test
    void aBrokerCertificateNobodyTrustsStopsTheStartWithAClearError() throws Exception {
        String id = newTopicsWithObservations();
        // The JVM's default trust store instead of the one holding the broker's self-signed certificate.
        List<String> args = securedArgs(id, false, KAFKA_PASSWORD, REGISTRY_PASSWORD);

        assertThat(logOfAFailedStart("untrusted.log", args, 2)).contains("SSL handshake failed")
                .contains("ssl.truststore");
        assertNothingWritten(id);
    }

    @Test
    void noKafkaCredentialsStopTheStartWithAClearError() throws Exception {
        String id = newTopicsWithObservations();
        List<String> args = securedArgs(id, true, null, REGISTRY_PASSWORD);

        assertThat(logOfAFailedStart("no-kafka-credentials.log", args, 2)).contains("JAAS")
                .doesNotContain("\tat ");
        assertNothingWritten(id);
    }

    @Test
    void aWrongRegistryPasswordStopsTheStartWithoutDeadLetteringAnything() throws Exception {
        String id = newTopicsWithObservations();
        List<String> args = securedArgs(id, true, KAFKA_PASSWORD, "not-the-password");

        assertThat(logOfAFailedStart("wrong-registry.log", args, 2)).contains("HTTP 401")
                .contains("The output topic forecasts-" + id + " cannot be written").doesNotContain("\tat ")
                .doesNotContain("not-the-password");
        assertNothingWritten(id);
    }

    /**
     * gru-stream's own clients take the credentials as the service's do: {@code model publish} (its admin client
     * creating the models topic, the read of that topic for its check of what the instances serve, its producer) and
     * {@code train --from-topic}'s reader.
     */
    @Test
    void theCommandsOwnClientsReachTheSecuredListenerWithTheServicesSettings() throws Exception {
        String id = newTopics();
        new KafkaTestSupport(cluster.bootstrapServers(), registry.url()).produce("observations-" + id,
                inputs(1, 300));
        List<String> settings = new ArrayList<>();
        for (String setting : List.of("bootstrap.servers=" + cluster.scramBootstrapServers(),
                "security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-256",
                "sasl.jaas.config=" + jaas(KAFKA_PASSWORD), "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + tls.trustStore(),
                "ssl.truststore.password=" + TRUSTSTORE_PASSWORD, "schema.registry.url=" + registry.url(),
                "model.topic=models-" + id)) {
            settings.addAll(List.of("--set", setting));
        }
        Path model = dir.resolve("published");
        ModelWriter.write(TestingModels.persistence("2"), model);
        StringWriter err = new StringWriter();

        int published = tool(err, settings, "model", "publish", "--file", model.toString(), "--create-topic");
        int trained = tool(err, settings, "train", "--from-topic", "observations-" + id, "--features", "value",
                "--output", dir.resolve("trained.zip").toString(), "--epochs", "1", "--hidden", "4", "--threads", "1");

        assertThat(published).as("model publish; its errors:%n%s", err).isZero();
        assertThat(trained).as("train --from-topic; its errors:%n%s", err).isZero();
        assertThat(new KafkaTestSupport(cluster.bootstrapServers(), registry.url())
                .readAllCommitted("models-" + id, new ByteArrayDeserializer())).hasSize(1);
        assertThat(dir.resolve("trained.zip")).isRegularFile();
    }

    /** Runs the command line {@code args} then {@code settings} in this JVM; its exit code. */
    private static int tool(StringWriter err, List<String> settings, String... args) {
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(new StringWriter()));
        command.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(settings);
        return command.execute(all.toArray(String[]::new));
    }

    /** New topics for one instance, with a few observations waiting on them. */
    private String newTopicsWithObservations() {
        String id = newTopics();
        new KafkaTestSupport(cluster.bootstrapServers(), registry.url()).produce("observations-" + id, inputs(2, 5));
        return id;
    }

    /** A refused start wrote nothing: no dead letter (the records were not at fault) and no forecast. */
    private void assertNothingWritten(String id) {
        KafkaTestSupport kafka = new KafkaTestSupport(cluster.bootstrapServers(), registry.url());
        assertThat(kafka.readAllCommitted("dead-letters-" + id, new ByteArrayDeserializer())).as("dead letters")
                .isEmpty();
        assertThat(kafka.readAllCommitted("forecasts-" + id, new ByteArrayDeserializer())).as("forecasts").isEmpty();
    }

    private String newTopics() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        cluster.createTopics(Map.of("observations-" + id, 1, "forecasts-" + id, 1, "alerts-" + id, 1,
                "dead-letters-" + id, 1));
        return id;
    }

    /**
     * {@code run}'s arguments for SASL_SSL with SCRAM and the registry's basic auth: with or without the trust store
     * that holds the broker's certificate, with {@code kafkaPassword} (none at all if null) and
     * {@code registryPassword}.
     */
    private List<String> securedArgs(String id, boolean trustBroker, String kafkaPassword, String registryPassword)
            throws Exception {
        List<String> args = new ArrayList<>(args(id, trustBroker));
        args.addAll(List.of("--set", "security.protocol=SASL_SSL", "--set", "sasl.mechanism=SCRAM-SHA-256",
                "--set", "basic.auth.credentials.source=USER_INFO",
                "--set", "basic.auth.user.info=" + REGISTRY_USER + ":" + registryPassword));
        if (trustBroker) {
            args.addAll(List.of("--set", "ssl.truststore.password=" + TRUSTSTORE_PASSWORD));
        }
        if (kafkaPassword != null) {
            args.addAll(List.of("--set", "sasl.jaas.config=" + jaas(kafkaPassword)));
        }
        return args;
    }

    /**
     * Runs an instance with {@code args}; its log, once it stopped by itself with the exit code documented for the
     * failure: 2 for a start refused on its settings, 1 for a fatal error once running (docs/operations.md).
     */
    private String logOfAFailedStart(String logName, List<String> args, int expectedExit) throws Exception {
        try (ChildJvm service = ChildJvm.start(dir.resolve(logName), main(), args)) {
            OptionalInt exit = service.awaitExit(Duration.ofSeconds(90));

            assertThat(exit).as("exit; the log:%n%s", service.log()).isPresent();
            assertThat(exit.getAsInt()).as("exit code; the log:%n%s", service.log()).isEqualTo(expectedExit);
            return service.log();
        }
    }

    private List<String> args(String id) throws Exception {
        return args(id, true);
    }

    /** {@code run}'s arguments, with or without the trust store that holds the broker's certificate. */
    private List<String> args(String id, boolean trustBroker) throws Exception {
        Path model = dir.resolve("model-" + id);
        ModelWriter.write(TestingModels.persistence("1"), model);
        // Not WireMock's baseUrl(), which formats the port in the default locale (Arabic digits under ar-EG).
        List<String> args = new ArrayList<>(List.of("run",
                "--set", "bootstrap.servers=" + cluster.scramBootstrapServers(),
                "--set", "schema.registry.url=http://localhost:" + securedRegistry.port(),
                "--set", "application.id=security-" + id,
                "--set", "state.dir=" + Files.createDirectories(dir.resolve("state-" + id)),
                "--set", "commit.interval.ms=100",
                "--set", "model.path=" + model,
                "--set", "http.enabled=false",
                "--set", "topic.observations=observations-" + id,
                "--set", "topic.forecasts=forecasts-" + id,
                "--set", "topic.alerts=alerts-" + id,
                "--set", "topic.dead.letters=dead-letters-" + id));
        if (trustBroker) {
            args.addAll(List.of("--set", "ssl.truststore.type=PKCS12",
                    "--set", "ssl.truststore.location=" + tls.trustStore()));
        }
        return args;
    }

    private static String jaas(String password) {
        return EmbeddedKafkaCluster.scramJaasConfig(KAFKA_USER, password);
    }

    /** The service's own logging configuration (not the tests'), so that its levels follow the environment. */
    private ChildJvm.Options withProductionLogging(Map<String, String> environment) throws Exception {
        // The configuration ships inside the application's jar; the child JVM needs it as a file.
        Path logback = dir.resolve("logback.xml");
        try (InputStream in = GruStreamCommand.class.getResourceAsStream("/logback.xml")) {
            Files.copy(in, logback, StandardCopyOption.REPLACE_EXISTING);
        }
        return new ChildJvm.Options(List.of(), List.of("-Dlogback.configurationFile=" + logback),
                new HashMap<>(environment));
    }

    private static List<Input> inputs(int keys, int steps) {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            for (int k = 0; k < keys; k++) {
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, 10 + k + Math.sin(i / 3.0))));
            }
        }
        return inputs;
    }

    private static String main() {
        return GruStreamCommand.class.getName();
    }
}
