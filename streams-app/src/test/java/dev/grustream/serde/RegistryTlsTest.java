package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.avro.Forecast;
import dev.grustream.testing.SelfSignedTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against the in-memory registry served over HTTPS with a self-signed certificate. */
class RegistryTlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    static SelfSignedTls tls;
    static InMemorySchemaRegistryServer registry;

    @BeforeAll
    static void serveOverHttps() throws Exception {
        tls = SelfSignedTls.create(dir, PASSWORD);
        registry = InMemorySchemaRegistryServer.startHttps(0, tls.serverContext());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static Map<String, Object> config(boolean trusted) {
        Map<String, Object> config = new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url(),
                AvroSerdeConfig.MAX_RETRIES_CONFIG, 0));
        if (trusted) {
            config.put("schema.registry.ssl.truststore.location", tls.trustStore().toString());
            config.put("schema.registry.ssl.truststore.password", PASSWORD);
            config.put("schema.registry.ssl.truststore.type", "PKCS12");
        }
        return config;
    }

    @Test
    void withTheTrustStoreAValueRoundTripsThroughTheRegistry() {
        try (SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            serde.configure(config(true), false);
            Forecast forecast = TestRecords.forecast("k");

            byte[] bytes = serde.serializer().serialize("forecasts", forecast);

            assertThat(registry.url()).startsWith("https://");
            assertThat(serde.deserializer().deserialize("forecasts", bytes)).isEqualTo(forecast);
        }
    }

    @Test
    void anUntrustedCertificateIsARefusalNotAnOutage() {
        try (SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            serde.configure(config(false), false);

            assertThatThrownBy(() -> serde.serializer().serialize("forecasts", TestRecords.forecast("k")))
                    .isExactlyInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("TLS handshake").hasMessageContaining("schema.registry.ssl.truststore")
                    .hasCauseInstanceOf(SSLException.class);
        }
    }

    @Test
    void aTrustedCertificateThatDoesNotNameTheRegistrysHostIsRefused() throws Exception {
        SelfSignedTls elsewhere = SelfSignedTls.create(Files.createDirectories(dir.resolve("elsewhere")), PASSWORD,
                "registry.example", "SAN=dns:registry.example");
        try (InMemorySchemaRegistryServer misnamed = InMemorySchemaRegistryServer.startHttps(0,
                elsewhere.serverContext())) {
            Map<String, Object> config = config(false);
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, misnamed.url());
            config.put("schema.registry.ssl.truststore.location", elsewhere.trustStore().toString());
            config.put("schema.registry.ssl.truststore.password", PASSWORD);
            config.put("schema.registry.ssl.truststore.type", "PKCS12");
            // Also with protocols set, which the client's TLS parameters carry.
            config.put("schema.registry.ssl.enabled.protocols", "TLSv1.2,TLSv1.3");

            assertRefusedAtTheHandshake(config);
        }
    }

    @Test
    void theClientOffersOnlyTheEnabledProtocols() {
        Map<String, Object> config = config(true);
        // Disabled by the JDK: a client limited to it cannot complete a handshake.
        config.put("schema.registry.ssl.enabled.protocols", "TLSv1.1");

        assertRefusedAtTheHandshake(config);
    }

    @Test
    void theClientOffersOnlyTheConfiguredCipherSuites() {
        Map<String, Object> config = config(true);
        // A TLS 1.3 suite with TLS 1.2 only: nothing the two sides could agree on.
        config.put("schema.registry.ssl.enabled.protocols", "TLSv1.2");
        config.put("schema.registry.ssl.cipher.suites", "TLS_AES_128_GCM_SHA256");

        assertRefusedAtTheHandshake(config);
    }

    @Test
    void aProtocolNameTheJvmDoesNotKnowIsAConfigError() {
        try (SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            Map<String, Object> config = config(true);
            config.put("schema.registry.ssl.enabled.protocols", "TLSv1.2 TLSv1.3");

            assertThatThrownBy(() -> serde.configure(config, false)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("schema.registry.ssl.enabled.protocols");
        }
    }

    @Test
    void aClientLimitedToTls12StillReachesTheRegistry() {
        try (SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            Map<String, Object> config = config(true);
            config.put("schema.registry.ssl.enabled.protocols", "TLSv1.2");
            serde.configure(config, false);
            Forecast forecast = TestRecords.forecast("k");

            assertThat(serde.deserializer().deserialize("forecasts", serde.serializer().serialize("forecasts",
                    forecast))).isEqualTo(forecast);
        }
    }

    private static void assertRefusedAtTheHandshake(Map<String, Object> config) {
        try (SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            serde.configure(config, false);

            assertThatThrownBy(() -> serde.serializer().serialize("forecasts", TestRecords.forecast("k")))
                    .isExactlyInstanceOf(SchemaRegistryException.class).hasMessageContaining("TLS handshake")
                    .hasCauseInstanceOf(SSLException.class);
        }
    }

    @Test
    void aHandshakeCutShortFailsOverToTheNextRegistry() throws Exception {
        try (ServerSocket cutting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            Thread closer = new Thread(() -> {
                while (!cutting.isClosed()) {
                    try (Socket socket = cutting.accept()) {
                        socket.getInputStream().read();
                    } catch (IOException e) {
                        // closed by the test, or the client gave up: either way the next one is cut too
                    }
                }
            });
            closer.setDaemon(true);
            closer.start();
            Map<String, Object> config = config(true);
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "https://localhost:" + cutting.getLocalPort()
                    + "," + registry.url());
            serde.configure(config, false);
            Forecast forecast = TestRecords.forecast("k");

            byte[] bytes = serde.serializer().serialize("forecasts", forecast);

            assertThat(serde.deserializer().deserialize("forecasts", bytes)).isEqualTo(forecast);
        }
    }

    @Test
    void anUntrustedCertificateFailsOverToTheNextRegistry() throws Exception {
        SelfSignedTls other = SelfSignedTls.create(Files.createDirectories(dir.resolve("other")), PASSWORD);
        try (InMemorySchemaRegistryServer untrusted = InMemorySchemaRegistryServer.startHttps(0,
                other.serverContext()); SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class)) {
            Map<String, Object> config = config(true);
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, untrusted.url() + "," + registry.url());
            serde.configure(config, false);
            Forecast forecast = TestRecords.forecast("k");

            byte[] bytes = serde.serializer().serialize("forecasts", forecast);

            assertThat(serde.deserializer().deserialize("forecasts", bytes)).isEqualTo(forecast);
        }
    }

    @Test
    void hostNameVerificationCannotBeTurnedOff() {
        Map<String, Object> config = config(true);
        config.put("schema.registry.ssl.endpoint.identification.algorithm", "");

        assertThatThrownBy(() -> new AvroSerdeConfig(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("names its host");
    }
}
