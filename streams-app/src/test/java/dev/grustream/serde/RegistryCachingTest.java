package dev.grustream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;

/** The serdes over a real HTTP registry (WireMock) ask once per schema, counted in requests the registry saw. */
class RegistryCachingTest {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String TOPIC = "forecasts";
    private static final int RECORDS = 100;

    @RegisterExtension
    static final WireMockExtension REGISTRY = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    /** Without retries, so that a failure reaches the caller (the client's retries are tested on their own). */
    private final Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
            WireMockUrls.of(REGISTRY), AvroSerdeConfig.MAX_RETRIES_CONFIG, 0);

    @Test
    void serializerRegistersASchemaOnce() {
        REGISTRY.stubFor(post("/subjects/forecasts-value/versions").willReturn(confluent("{\"id\": 7}")));
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(config, false);

        for (int i = 0; i < RECORDS; i++) {
            serializer.serialize(TOPIC, TestRecords.forecast("k" + i));
        }

        REGISTRY.verify(1, postRequestedFor(urlEqualTo("/subjects/forecasts-value/versions")));
    }

    @Test
    void serializerWithoutAutoRegisterLooksASchemaUpOnce() {
        REGISTRY.stubFor(post("/subjects/forecasts-value").willReturn(confluent(
                "{\"subject\": \"forecasts-value\", \"id\": 7, \"version\": 1, \"schema\": " + quoted(Forecast.SCHEMA$)
                        + "}")));
        AvroSerializer serializer = new AvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false), false);

        for (int i = 0; i < RECORDS; i++) {
            serializer.serialize(TOPIC, TestRecords.forecast("k" + i));
        }

        REGISTRY.verify(1, postRequestedFor(urlEqualTo("/subjects/forecasts-value")));
    }

    @Test
    void deserializerFetchesEachSchemaIdOnce() {
        REGISTRY.stubFor(get("/schemas/ids/7").willReturn(confluent("{\"schema\": " + quoted(Forecast.SCHEMA$) + "}")));
        REGISTRY.stubFor(get("/schemas/ids/8").willReturn(confluent("{\"schema\": " + quoted(Observation.SCHEMA$)
                + "}")));
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY),
                AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true), false);
        byte[] forecast = TestRecords.framed(7, TestRecords.avroBody(TestRecords.forecast("k")));
        byte[] observation = TestRecords.framed(8, TestRecords.avroBody(TestRecords.observation(1.0)));

        for (int i = 0; i < RECORDS; i++) {
            assertThat(deserializer.deserialize(TOPIC, forecast)).isInstanceOf(Forecast.class);
            assertThat(deserializer.deserialize(TOPIC, observation)).isInstanceOf(Observation.class);
        }

        REGISTRY.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/7")));
        REGISTRY.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/8")));
    }

    @Test
    void aSerdeReadsWhatItWroteWithoutFetchingTheSchema() {
        REGISTRY.stubFor(post("/subjects/forecasts-value/versions").willReturn(confluent("{\"id\": 7}")));
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);

        for (int i = 0; i < RECORDS; i++) {
            Forecast forecast = TestRecords.forecast("k" + i);
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, forecast)))
                    .isEqualTo(forecast);
        }

        REGISTRY.verify(1, postRequestedFor(urlEqualTo("/subjects/forecasts-value/versions")));
        REGISTRY.verify(0, getRequestedFor(urlEqualTo("/schemas/ids/7")));
    }

    @Test
    void aFailureIsNotCached() {
        REGISTRY.stubFor(get("/schemas/ids/7").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(confluent("{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}")
                        .withStatus(500))
                .willSetStateTo("recovered"));
        REGISTRY.stubFor(get("/schemas/ids/7").inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(confluent("{\"schema\": " + quoted(Forecast.SCHEMA$) + "}")));
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);
        byte[] bytes = TestRecords.framed(7, TestRecords.avroBody(TestRecords.forecast("k")));

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(TestRecords.forecast("k"));
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(TestRecords.forecast("k"));

        REGISTRY.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/7")));
    }

    @Test
    @Timeout(30)
    void concurrentFirstCallsSendOneRequest() throws Exception {
        REGISTRY.stubFor(get("/schemas/ids/7").willReturn(confluent("{\"schema\": " + quoted(Forecast.SCHEMA$) + "}")
                .withFixedDelay(200)));
        SpecificAvroSerde<Forecast> serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(config, false);
        byte[] bytes = TestRecords.framed(7, TestRecords.avroBody(TestRecords.forecast("k")));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        // The four threads start each round of calls together; the registry's 200 ms answer keeps them overlapping.
        CyclicBarrier together = new CyclicBarrier(4);
        try {
            List<Callable<Forecast>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return serde.deserializer().deserialize(TOPIC, bytes);
                });
            }
            for (Future<Forecast> result : threads.invokeAll(calls)) {
                assertThat(result.get()).isEqualTo(TestRecords.forecast("k"));
            }
        } finally {
            threads.shutdown();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        REGISTRY.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/7")));
    }

    private static ResponseDefinitionBuilder confluent(String body) {
        return okForContentType(CONTENT_TYPE, body);
    }

    private static String quoted(Schema schema) {
        try {
            return new ObjectMapper().writeValueAsString(schema.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
