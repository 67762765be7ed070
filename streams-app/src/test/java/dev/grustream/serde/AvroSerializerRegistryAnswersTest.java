package dev.grustream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.grustream.serde.AvroSerializationException.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which answers of a registry, asked for an output value's schema id, blame the value (a bad record) and which blame
 * the deployment (a wrong URL, a proxy): a handler that skips bad records must not skip every output over the second.
 */
class AvroSerializerRegistryAnswersTest {
    private static final String TOPIC = "forecasts";
    private static final String NOT_FOUND_PAGE = "<html><body>Not Found</body></html>";

    @RegisterExtension
    static final WireMockExtension REGISTRY = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private static byte[] serialize(boolean useLatest) {
        try (AvroSerializer serializer = new AvroSerializer()) {
            serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY),
                    AvroSerdeConfig.MAX_RETRIES_CONFIG, 0,
                    AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, !useLatest,
                    AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, useLatest), false);
            return serializer.serialize(TOPIC, TestRecords.forecast("k"));
        }
    }

    private static ResponseDefinitionBuilder registryAnswer(int status, int errorCode) {
        return okForContentType("application/vnd.schemaregistry.v1+json",
                "{\"error_code\": " + errorCode + ", \"message\": \"no\"}").withStatus(status);
    }

    private static ResponseDefinitionBuilder notFoundPage() {
        return okForContentType("text/html", NOT_FOUND_PAGE).withStatus(404);
    }

    @Test
    void aRegistryThatRefusesTheSchemaBlamesTheValue() {
        REGISTRY.stubFor(post("/subjects/" + TOPIC + "-value/versions")
                .willReturn(registryAnswer(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA)));

        assertThatThrownBy(() -> serialize(false)).isInstanceOfSatisfying(AvroSerializationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_REJECTED));
    }

    @Test
    void anIncompatibleSchemaAnsweredByAnOlderRegistryBlamesTheValue() {
        REGISTRY.stubFor(post("/subjects/" + TOPIC + "-value/versions").willReturn(registryAnswer(409, 409)));

        assertThatThrownBy(() -> serialize(false)).isInstanceOfSatisfying(AvroSerializationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_REJECTED));
    }

    @Test
    void theRegistrysAnswerToAPathItDoesNotServeBlamesTheDeploymentOnRegistering() {
        // Confluent's registry answers a wrong path (a URL with a wrong prefix) with the bare status as the code.
        REGISTRY.stubFor(post("/subjects/" + TOPIC + "-value/versions").willReturn(registryAnswer(404, 404)));

        assertThatThrownBy(() -> serialize(false)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(AvroSerializationException.class);
    }

    @Test
    void theRegistrysAnswerToAPathItDoesNotServeBlamesTheDeploymentWithTheLatestVersion() {
        REGISTRY.stubFor(get("/subjects/" + TOPIC + "-value/versions/latest").willReturn(registryAnswer(404, 404)));

        assertThatThrownBy(() -> serialize(true)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(AvroSerializationException.class);
    }

    @Test
    void aNotFoundPageThatIsNotTheRegistrysBlamesTheDeploymentOnRegistering() {
        REGISTRY.stubFor(post("/subjects/" + TOPIC + "-value/versions").willReturn(notFoundPage()));

        assertThatThrownBy(() -> serialize(false)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(AvroSerializationException.class);
    }

    @Test
    void aSubjectWithoutVersionsBlamesTheValueWithTheLatestVersion() {
        REGISTRY.stubFor(get("/subjects/" + TOPIC + "-value/versions/latest")
                .willReturn(registryAnswer(404, SchemaRegistryException.SUBJECT_NOT_FOUND)));

        assertThatThrownBy(() -> serialize(true)).isInstanceOfSatisfying(AvroSerializationException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_REJECTED));
    }

    @Test
    void aNotFoundPageThatIsNotTheRegistrysBlamesTheDeploymentWithTheLatestVersion() {
        REGISTRY.stubFor(get("/subjects/" + TOPIC + "-value/versions/latest").willReturn(notFoundPage()));

        assertThatThrownBy(() -> serialize(true)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(AvroSerializationException.class);
    }
}
