package dev.grustream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.grustream.serde.AvroSerializationException.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which answers of a registry, fetching a record's writer schema, blame the record (it is dead-lettered) and which
 * blame the registry (the task fails and retries, so no good record is thrown away).
 */
class AvroDeserializerRegistryAnswersTest {
    private static final String TOPIC = "observations";
    private static final int SCHEMA_ID = 7;

    @RegisterExtension
    static final WireMockExtension REGISTRY = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private static Object deserialize() {
        return deserialize(deserializer());
    }

    private static AvroDeserializer deserializer() {
        return deserializer(0);
    }

    private static AvroDeserializer deserializer(int missingIdTtlSeconds) {
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY),
                AvroSerdeConfig.MAX_RETRIES_CONFIG, 0,
                AvroSerdeConfig.MISSING_ID_CACHE_TTL_SEC_CONFIG, missingIdTtlSeconds), false);
        return deserializer;
    }

    private static Object deserialize(AvroDeserializer deserializer) {
        return deserializer.deserialize(TOPIC, TestRecords.framed(SCHEMA_ID,
                TestRecords.avroBody(TestRecords.forecast("k"))));
    }

    private static void answerSchemaRequestWith(int status, String contentType, String body) {
        REGISTRY.stubFor(get("/schemas/ids/" + SCHEMA_ID)
                .willReturn(okForContentType(contentType, body).withStatus(status)));
    }

    @Test
    void anIdTheRegistrySaysItDoesNotKnowBlamesTheRecord() {
        answerSchemaRequestWith(404, "application/vnd.schemaregistry.v1+json",
                "{\"error_code\": 40403, \"message\": \"Schema not found\"}");

        assertThatThrownBy(AvroDeserializerRegistryAnswersTest::deserialize)
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID));
    }

    @Test
    void aRecordWithAnIdTheRegistryJustSaidItDoesNotKnowIsRefusedWithoutAskingAgain() {
        answerSchemaRequestWith(404, "application/vnd.schemaregistry.v1+json",
                "{\"error_code\": 40403, \"message\": \"Schema not found\"}");
        AvroDeserializer deserializer = deserializer(60);
        assertThatThrownBy(() -> deserialize(deserializer)).isInstanceOf(AvroSerializationException.class);

        assertThatThrownBy(() -> deserialize(deserializer))
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID));
        REGISTRY.verify(1, getRequestedFor(urlEqualTo("/schemas/ids/" + SCHEMA_ID)));
    }

    @Test
    void byDefaultEveryRecordWithAnUnknownIdAsksTheRegistry() {
        answerSchemaRequestWith(404, "application/vnd.schemaregistry.v1+json",
                "{\"error_code\": 40403, \"message\": \"Schema not found\"}");
        AvroDeserializer deserializer = deserializer();
        assertThatThrownBy(() -> deserialize(deserializer)).isInstanceOf(AvroSerializationException.class);

        assertThatThrownBy(() -> deserialize(deserializer)).isInstanceOf(AvroSerializationException.class);
        REGISTRY.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/" + SCHEMA_ID)));
    }

    @Test
    void aNotFoundPageThatIsNotTheRegistrysBlamesTheRegistry() {
        answerSchemaRequestWith(404, "text/html", "<html><body>Not Found</body></html>");

        assertThatThrownBy(AvroDeserializerRegistryAnswersTest::deserialize)
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(AvroSerializationException.class);
    }

    @Test
    void aSchemaThatIsNotAvroBlamesTheRecord() {
        answerSchemaRequestWith(200, "application/vnd.schemaregistry.v1+json",
                "{\"schemaType\": \"PROTOBUF\", \"schema\": \"syntax = \\\"proto3\\\";\"}");

        assertThatThrownBy(AvroDeserializerRegistryAnswersTest::deserialize)
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH))
                .hasMessageContaining("PROTOBUF");
    }

    @Test
    void anAvroSchemaThatDoesNotParseBlamesTheRecord() {
        answerSchemaRequestWith(200, "application/vnd.schemaregistry.v1+json",
                "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": \\\"R\\\", \\\"fields\\\": "
                        + "[{\\\"name\\\": \\\"x\\\", \\\"type\\\": \\\"com.example.Elsewhere\\\"}]}\"}");

        assertThatThrownBy(AvroDeserializerRegistryAnswersTest::deserialize)
                .isInstanceOfSatisfying(AvroSerializationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_MISMATCH));
    }

    @Test
    void aRegistryErrorIsNotTheRecordsFault() {
        REGISTRY.stubFor(get("/schemas/ids/" + SCHEMA_ID).willReturn(aResponse().withStatus(500)));

        assertThatThrownBy(AvroDeserializerRegistryAnswersTest::deserialize)
                .isNotInstanceOf(AvroSerializationException.class);
    }
}
