package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;

/** The in-memory server over real HTTP, driven by our REST client, our serdes and a plain HTTP client. */
class InMemorySchemaRegistryServerTest {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private InMemorySchemaRegistryServer server;
    private SchemaRegistryClient client;

    @BeforeEach
    void startServer() {
        server = InMemorySchemaRegistryServer.start(0);
        client = SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, server.url()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void listensOnLoopbackAtAnEphemeralPort() {
        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void answersEveryCallOfTheClient() {
        int id = client.register("forecasts-value", Forecast.SCHEMA$);

        assertThat(client.getId("forecasts-value", Forecast.SCHEMA$)).isEqualTo(id);
        assertThat(fresh().getSchemaById(id)).isEqualTo(Forecast.SCHEMA$);
        assertThat(client.getLatestSchemaMetadata("forecasts-value"))
                .isEqualTo(SchemaMetadata.of("forecasts-value", 1, id, Forecast.SCHEMA$));
        assertThat(client.testCompatibility("forecasts-value", Forecast.SCHEMA$)).isTrue();
        assertThat(client.testCompatibility("forecasts-value", Observation.SCHEMA$)).isFalse();
    }

    @Test
    void subjectsWithReservedCharactersRoundTrip() {
        String subject = "tenant/a b+c?-value";

        int id = client.register(subject, Forecast.SCHEMA$);

        assertThat(client.getLatestSchemaMetadata(subject).subject()).isEqualTo(subject);
        assertThat(fresh().getId(subject, Forecast.SCHEMA$)).isEqualTo(id);
    }

    @Test
    void unknownSubjectIs40401() {
        assertRegistryError(() -> client.getLatestSchemaMetadata("nope"), 404,
                SchemaRegistryException.SUBJECT_NOT_FOUND);
    }

    @Test
    void unknownIdIs40403() {
        assertRegistryError(() -> client.getSchemaById(99), 404, SchemaRegistryException.SCHEMA_NOT_FOUND);
    }

    @Test
    void incompatibleSchemaIs409With40901() {
        client.register("s", TestRecords.READING);

        assertRegistryError(() -> client.register("s", Forecast.SCHEMA$), 409,
                SchemaRegistryException.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void invalidSchemaIs42201() throws Exception {
        HttpResponse<String> response = send("POST", "/subjects/s/versions",
                "{\"schema\": \"{\\\"type\\\": \\\"nope\\\"}\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).get("error_code").asInt()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
    }

    @Test
    void answersWithConfluentsContentTypeAndShapes() throws Exception {
        HttpResponse<String> registered = send("POST", "/subjects/s/versions", "{\"schema\": \"\\\"string\\\"\"}");
        HttpResponse<String> byId = send("GET", "/schemas/ids/1", null);
        HttpResponse<String> latest = send("GET", "/subjects/s/versions/latest", null);
        HttpResponse<String> missing = send("GET", "/subjects/t/versions/latest", null);

        assertThat(registered.headers().firstValue("Content-Type")).contains(CONTENT_TYPE);
        assertThat(json(registered)).isEqualTo(json("{\"id\": 1}"));
        assertThat(json(byId)).isEqualTo(json("{\"schema\": \"\\\"string\\\"\"}"));
        assertThat(json(latest)).isEqualTo(json(
                "{\"subject\": \"s\", \"id\": 1, \"version\": 1, \"schema\": \"\\\"string\\\"\"}"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing)).isEqualTo(json("{\"error_code\": 40401, \"message\": \"Subject 't' not found.\"}"));
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        assertThat(send("GET", "/config", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/subjects/s/versions", null).statusCode()).isEqualTo(405);
    }

    @Test
    void serdesInDifferentProcessesShareSchemasThroughIt() {
        Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, server.url());
        SpecificAvroSerde<Forecast> producer = new SpecificAvroSerde<>(Forecast.class);
        producer.configure(config, false);
        SpecificAvroSerde<Forecast> consumer = new SpecificAvroSerde<>(Forecast.class);
        consumer.configure(config, false);
        Forecast forecast = TestRecords.forecast("k");

        assertThat(consumer.deserializer().deserialize("forecasts", producer.serializer().serialize("forecasts",
                forecast))).isEqualTo(forecast);
    }

    @Test
    void aClosedServerIsUnavailable() {
        server.close();

        assertThatThrownBy(() -> client.getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
    }

    private SchemaRegistryClient fresh() {
        return SchemaRegistryClient.create(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, server.url()));
    }

    private HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", CONTENT_TYPE);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return json(response.body());
    }

    private static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text);
    }

    private static void assertRegistryError(ThrowingCallable call, int status, int errorCode) {
        assertThatThrownBy(call).isExactlyInstanceOf(SchemaRegistryException.class)
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.errorCode()).isEqualTo(errorCode);
                });
    }
}
