package dev.grustream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import dev.grustream.serde.internals.RestSchemaRegistryClient;

/**
 * The REST client against WireMock stubs written from Confluent's API reference: request shapes, answers, error
 * bodies, fail-over, authentication and timeouts.
 */
class RestSchemaRegistryClientTest {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Schema STRING = Schema.create(Schema.Type.STRING);
    private static final String STRING_SCHEMA_JSON = "{\"schema\": \"\\\"string\\\"\"}";

    @RegisterExtension
    static final WireMockExtension REGISTRY = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static final WireMockExtension SECOND_REGISTRY = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private Map<String, Object> config;

    @BeforeEach
    void pointAtTheFirstRegistry() {
        // One round over the URLs per request, so that each test sees its failures at once; retries have their own.
        config = new HashMap<>(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY),
                AvroSerdeConfig.MAX_RETRIES_CONFIG, 0));
    }

    @Test
    void registerPostsTheSchemaToSubjectVersionsAndReadsTheId() {
        REGISTRY.stubFor(post("/subjects/test/versions").willReturn(confluent(200, "{\"id\": 1}")));

        assertThat(client().register("test", STRING)).isEqualTo(1);

        REGISTRY.verify(postRequestedFor(urlEqualTo("/subjects/test/versions"))
                .withHeader("Content-Type", equalTo(CONTENT_TYPE))
                .withHeader("Accept", containing(CONTENT_TYPE))
                .withRequestBody(equalToJson(STRING_SCHEMA_JSON)));
    }

    @Test
    void getSchemaByIdReadsTheSchemaField() {
        REGISTRY.stubFor(get("/schemas/ids/1")
                .willReturn(confluent(200, "{\"schema\": \"{\\\"type\\\": \\\"string\\\"}\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);
    }

    @Test
    void aFetchedSchemaWhoseDefaultDoesNotFitItsFieldIsReadAsConfluentsClientReadsIt() {
        String legacy = "{\"type\": \"record\", \"name\": \"Legacy\", \"fields\": "
                + "[{\"name\": \"note\", \"type\": \"string\", \"default\": null}]}";
        REGISTRY.stubFor(get("/schemas/ids/7").willReturn(confluent(200, referencing(legacy, null, 0))));

        Schema schema = client().getSchemaById(7);

        assertThat(schema.getField("note").schema()).isEqualTo(STRING);
    }

    @Test
    void aSchemaThatReferencesOthersIsParsedWithTheirTypes() {
        Schema site = SchemaBuilder.record("Site").namespace("com.acme").fields().requiredString("id").endRecord();
        Schema device = SchemaBuilder.record("Device").namespace("com.acme").fields()
                .name("site").type(site).noDefault().endRecord();
        Schema reading = SchemaBuilder.record("Reading").fields().name("device").type(device).noDefault().endRecord();
        // As Confluent's registry stores them: each schema names the types it references instead of defining them.
        REGISTRY.stubFor(get("/schemas/ids/5").willReturn(confluent(200, referencing(
                "{\"type\": \"record\", \"name\": \"Reading\", \"fields\": "
                        + "[{\"name\": \"device\", \"type\": \"com.acme.Device\"}]}", "device", 2))));
        REGISTRY.stubFor(get("/subjects/device/versions/2?deleted=true").willReturn(confluent(200, referencing(
                "{\"type\": \"record\", \"name\": \"Device\", \"namespace\": \"com.acme\", \"fields\": "
                        + "[{\"name\": \"site\", \"type\": \"com.acme.Site\"}]}", "site", 1))));
        REGISTRY.stubFor(get("/subjects/site/versions/1?deleted=true").willReturn(confluent(200,
                referencing(site.toString(), null, 0))));

        assertThat(client().getSchemaById(5)).isEqualTo(reading);
    }

    @Test
    void aTypeReferencedTwiceIsDefinedByItsFirstReference() {
        Schema site = SchemaBuilder.record("Site").namespace("com.acme").fields().requiredString("id").endRecord();
        Schema siteWithName = SchemaBuilder.record("Site").namespace("com.acme").fields().requiredString("id")
                .optionalString("name").endRecord();
        // The outer schema references Site version 1 and Device, whose own schema references Site version 2.
        ObjectNode outer = JsonNodeFactory.instance.objectNode().put("schema", "{\"type\": \"record\", \"name\": "
                + "\"Visit\", \"fields\": [{\"name\": \"site\", \"type\": \"com.acme.Site\"}, "
                + "{\"name\": \"device\", \"type\": \"com.acme.Device\"}]}");
        outer.putArray("references").add(reference("com.acme.Site", "site", 1))
                .add(reference("com.acme.Device", "device", 1));
        REGISTRY.stubFor(get("/schemas/ids/6").willReturn(confluent(200, outer.toString())));
        REGISTRY.stubFor(get("/subjects/site/versions/1?deleted=true").willReturn(confluent(200,
                referencing(site.toString(), null, 0))));
        REGISTRY.stubFor(get("/subjects/device/versions/1?deleted=true").willReturn(confluent(200, referencing(
                "{\"type\": \"record\", \"name\": \"Device\", \"namespace\": \"com.acme\", \"fields\": "
                        + "[{\"name\": \"site\", \"type\": \"com.acme.Site\"}]}", "site", 2))));
        REGISTRY.stubFor(get("/subjects/site/versions/2?deleted=true").willReturn(confluent(200, referencing(
                siteWithName.toString(), null, 0))));

        Schema visit = client().getSchemaById(6);

        assertThat(visit.getField("site").schema()).isEqualTo(site);
        assertThat(visit.getField("device").schema().getField("site").schema()).isEqualTo(site);
    }

    private static ObjectNode reference(String type, String subject, int version) {
        return JsonNodeFactory.instance.objectNode().put("name", type).put("subject", subject).put("version", version);
    }

    /** An answer holding {@code schema} and, unless {@code subject} is null, a reference to a subject's version. */
    private static String referencing(String schema, String subject, int version) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("schema", schema);
        if (subject != null) {
            String type = "com.acme." + Character.toUpperCase(subject.charAt(0)) + subject.substring(1);
            answer.putArray("references").add(reference(type, subject, version));
        }
        return answer.toString();
    }

    @Test
    void getIdLooksTheSchemaUpUnderTheSubject() {
        REGISTRY.stubFor(post("/subjects/test").willReturn(confluent(200,
                "{\"subject\": \"test\", \"id\": 1, \"version\": 3, \"schema\": \"{\\\"type\\\": \\\"string\\\"}\"}")));

        assertThat(client().getId("test", STRING)).isEqualTo(1);

        REGISTRY.verify(postRequestedFor(urlEqualTo("/subjects/test"))
                .withRequestBody(equalToJson(STRING_SCHEMA_JSON)));
    }

    @Test
    void latestVersionReadsSubjectVersionIdAndSchema() {
        REGISTRY.stubFor(get("/subjects/test/versions/latest").willReturn(confluent(200,
                "{\"subject\": \"test\", \"id\": 5, \"version\": 3, \"schema\": \"{\\\"type\\\": \\\"string\\\"}\"}")));

        assertThat(client().getLatestSchemaMetadata("test")).isEqualTo(SchemaMetadata.of("test", 3, 5, STRING));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void compatibilityCheckReadsIsCompatible(boolean compatible) {
        REGISTRY.stubFor(post("/compatibility/subjects/test/versions/latest")
                .willReturn(confluent(200, "{\"is_compatible\": " + compatible + "}")));

        assertThat(client().testCompatibility("test", STRING)).isEqualTo(compatible);

        REGISTRY.verify(postRequestedFor(urlEqualTo("/compatibility/subjects/test/versions/latest"))
                .withRequestBody(equalToJson(STRING_SCHEMA_JSON)));
    }

    @Test
    void subjectNotFoundCarries40401() {
        REGISTRY.stubFor(get("/subjects/test/versions/latest").willReturn(confluent(404,
                "{\"error_code\": 40401, \"message\": \"Subject 'test' not found.\"}")));

        assertThatThrownBy(() -> client().getLatestSchemaMetadata("test"))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Subject 'test' not found.")
                .hasMessageContaining("HTTP 404")
                .satisfies(e -> assertRegistryError(e, 404, SchemaRegistryException.SUBJECT_NOT_FOUND));
    }

    @Test
    void schemaNotFoundCarries40403() {
        REGISTRY.stubFor(get("/schemas/ids/7").willReturn(confluent(404,
                "{\"error_code\": 40403, \"message\": \"Schema 7 not found\"}")));

        assertThatThrownBy(() -> client().getSchemaById(7))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Schema 7 not found")
                .satisfies(e -> assertRegistryError(e, 404, SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @ParameterizedTest
    @ValueSource(ints = {409, 40901})
    void incompatibleSchemaCarries409AndItsErrorCode(int errorCode) {
        REGISTRY.stubFor(post("/subjects/test/versions").willReturn(confluent(409, "{\"error_code\": " + errorCode
                + ", \"message\": \"Schema being registered is incompatible with an earlier schema\"}")));

        assertThatThrownBy(() -> client().register("test", STRING))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("incompatible")
                .satisfies(e -> assertRegistryError(e, 409, errorCode));
    }

    @Test
    void invalidSchemaCarries42201() {
        REGISTRY.stubFor(post("/subjects/test/versions").willReturn(confluent(422,
                "{\"error_code\": 42201, \"message\": \"Invalid schema\"}")));

        assertThatThrownBy(() -> client().register("test", STRING))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertRegistryError(e, 422, SchemaRegistryException.INVALID_SCHEMA));
    }

    @Test
    void backendErrorMeansUnavailableWith50001() {
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(500,
                "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("Error in the backend data store")
                .satisfies(e -> assertRegistryError(e, 500, SchemaRegistryException.STORE_ERROR));
    }

    @Test
    void anErrorBodyThatIsNotConfluentsKeepsStatusAndBody() {
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "text/html").withBody("<html>Unauthorized</html>")));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("<html>Unauthorized</html>")
                .satisfies(e -> assertRegistryError(e, 401, SchemaRegistryException.NO_ERROR_CODE));
    }

    @Test
    void aRegistryThatIsDownIsUnavailable() throws IOException {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:" + closedPort());

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("ConnectException")
                .satisfies(e -> assertRegistryError(e, SchemaRegistryException.NO_STATUS,
                        SchemaRegistryException.NO_ERROR_CODE));
    }

    @Test
    void aConnectionCutMidAnswerIsUnavailable() {
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
    }

    @Test
    void failsOverToTheNextUrlWhenTheFirstRefusesConnections() throws IOException {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "http://127.0.0.1:" + closedPort() + "," + WireMockUrls.of(SECOND_REGISTRY));
        SECOND_REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);
    }

    @Test
    void failsOverToTheNextUrlOnAServerError() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                WireMockUrls.of(REGISTRY) + "," + WireMockUrls.of(SECOND_REGISTRY));
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(503,
                "{\"error_code\": 50003, \"message\": \"Error while forwarding the request to the leader\"}")));
        SECOND_REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);
    }

    @Test
    void doesNotFailOverOnAClientError() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                WireMockUrls.of(REGISTRY) + "," + WireMockUrls.of(SECOND_REGISTRY));
        REGISTRY.stubFor(get("/schemas/ids/7").willReturn(confluent(404,
                "{\"error_code\": 40403, \"message\": \"Schema 7 not found\"}")));

        assertThatThrownBy(() -> client().getSchemaById(7)).isExactlyInstanceOf(SchemaRegistryException.class);

        SECOND_REGISTRY.verify(0, getRequestedFor(urlEqualTo("/schemas/ids/7")));
    }

    @Test
    void keepsUsingTheUrlThatAnsweredAfterAFailOver() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                WireMockUrls.of(REGISTRY) + "," + WireMockUrls.of(SECOND_REGISTRY));
        REGISTRY.stubFor(get("/schemas/ids/1")
                .willReturn(confluent(503, "{\"error_code\": 50003, \"message\": \"x\"}")));
        SECOND_REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));
        SECOND_REGISTRY.stubFor(get("/schemas/ids/2").willReturn(confluent(200, "{\"schema\": \"\\\"long\\\"\"}")));
        SchemaRegistryClient client = client();

        client.getSchemaById(1);
        client.getSchemaById(2);

        REGISTRY.verify(0, getRequestedFor(urlEqualTo("/schemas/ids/2")));
    }

    @Test
    void everyUrlFailingListsEachFailure() throws IOException {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                WireMockUrls.of(REGISTRY) + ",http://127.0.0.1:" + closedPort());
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(500,
                "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("tried 2 URL(s)")
                .hasMessageContaining(WireMockUrls.of(REGISTRY))
                .hasMessageContaining("ConnectException");
    }

    @Test
    void sendsBasicAuthFromUserInfo() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:let:me in");

        assertAFetchSends(basic("fred:let:me in"));
    }

    @Test
    void sendsBasicAuthFromTheUrlAsWrittenWithoutPuttingItInTheRequestLine() {
        int port = REGISTRY.getRuntimeInfo().getHttpPort();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://fred:p%40ss+w@localhost:" + port);

        // As written, as Confluent's client sends it: a percent-escape is not decoded, a plus sign is not a space.
        assertAFetchSends(basic("fred:p%40ss+w"));
    }

    @Test
    void theOlderUserInfoKeyWinsOverTheNewerAsInConfluentsClient() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:newer");
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_USER_INFO_CONFIG, "wilma:older");

        assertAFetchSends(basic("wilma:older"));
    }

    /** Fetches schema 1 and checks that the request carried {@code authorization}. */
    private void assertAFetchSends(String authorization) {
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo(authorization)));
    }

    @Test
    void sendsNoAuthorizationWithoutCredentials() {
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Authorization", absent()));
    }

    @Test
    void urlEncodesSubjects() {
        REGISTRY.stubFor(post("/subjects/my%20topic%2Bv2-value/versions").willReturn(confluent(200, "{\"id\": 3}")));

        assertThat(client().register("my topic+v2-value", STRING)).isEqualTo(3);
    }

    @Test
    void keepsAPathPrefixOfTheUrl() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(REGISTRY) + "/registry/");
        REGISTRY.stubFor(get("/registry/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);
    }

    @Test
    void aRegistryTooSlowToAnswerIsUnavailable() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, 200);
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")
                .withFixedDelay(5_000)));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("HttpTimeoutException");
    }

    @Test
    void aRegistryThatStallsInTheMiddleOfItsAnswerIsUnavailable() throws Exception {
        // A registry (or a proxy) that sends its headers and part of a body, then nothing: the JDK client's own
        // timeout ends with the headers.
        try (ServerSocket server = new ServerSocket(0)) {
            Thread stalling = new Thread(() -> {
                try (Socket connection = server.accept()) {
                    connection.getInputStream().read(new byte[8192]);
                    connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: " + CONTENT_TYPE
                            + "\r\nContent-Length: 100\r\n\r\n{\"sche").getBytes(StandardCharsets.US_ASCII));
                    connection.getOutputStream().flush();
                    Thread.sleep(30_000);
                } catch (IOException | InterruptedException e) {
                    // The test is over.
                }
            });
            stalling.setDaemon(true);
            stalling.start();
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:" + server.getLocalPort());
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, 200);

            assertThatThrownBy(() -> client().getSchemaById(1))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("no whole answer within 200 ms");
            stalling.interrupt();
        }
    }

    @Test
    void anAnswerLongerThanAnyRegistrySendsIsUnavailableInsteadOfRead() {
        String endless = "{\"schema\": \"\\\"string\\\"\", \"padding\": \""
                + "x".repeat(RestSchemaRegistryClient.MAX_ANSWER_BYTES) + "\"}";
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, endless)));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("the answer is longer than " + RestSchemaRegistryClient.MAX_ANSWER_BYTES);
    }

    @Test
    void aNonAvroSchemaIsRefused() {
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200,
                "{\"schemaType\": \"PROTOBUF\", \"schema\": \"syntax = \\\"proto3\\\";\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("PROTOBUF");
    }

    @Test
    void aSchemaAvroCannotParseIsRefused() {
        REGISTRY.stubFor(get("/schemas/ids/1")
                .willReturn(confluent(200, "{\"schema\": \"{\\\"type\\\": \\\"nope\\\"}\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("cannot parse");
    }

    @Test
    void retriesARoundOfFailuresAfterAWaitUntilTheRegistryAnswers() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 2);
        config.put(AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 10);
        REGISTRY.stubFor(get("/schemas/ids/1").inScenario("recovering").whenScenarioStateIs(STARTED)
                .willReturn(confluent(503, "{\"error_code\": 50003, \"message\": \"x\"}")).willSetStateTo("once"));
        REGISTRY.stubFor(get("/schemas/ids/1").inScenario("recovering").whenScenarioStateIs("once")
                .willReturn(confluent(429, "{\"error_code\": 42900, \"message\": \"slow down\"}"))
                .willSetStateTo("twice"));
        REGISTRY.stubFor(get("/schemas/ids/1").inScenario("recovering").whenScenarioStateIs("twice")
                .willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);

        REGISTRY.verify(3, getRequestedFor(urlEqualTo("/schemas/ids/1")));
    }

    @Test
    void aRequestTimeoutAnswerIsRetried() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 1);
        config.put(AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 10);
        REGISTRY.stubFor(get("/schemas/ids/1").inScenario("proxy").whenScenarioStateIs(STARTED)
                .willReturn(confluent(408, "{\"error_code\": 408, \"message\": \"request timeout\"}"))
                .willSetStateTo("answered"));
        REGISTRY.stubFor(get("/schemas/ids/1").inScenario("proxy").whenScenarioStateIs("answered")
                .willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));

        assertThat(client().getSchemaById(1)).isEqualTo(STRING);

        REGISTRY.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/1")));
    }

    @Test
    void givesUpAfterMaxRetries() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 1);
        config.put(AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 10);
        REGISTRY.stubFor(get("/schemas/ids/1")
                .willReturn(confluent(503, "{\"error_code\": 50003, \"message\": \"x\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);

        REGISTRY.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/1")));
    }

    @Test
    void sendsAStaticBearerTokenInsteadOfBasicAuth() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:secret");
        config.put(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, "STATIC_TOKEN");
        config.put(AvroSerdeConfig.BEARER_AUTH_TOKEN_CONFIG, "t0ken");
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo("Bearer t0ken")));
    }

    @Test
    void sendsTheRegistryAndIdentityPoolABearerTokenIsFor() {
        config.put(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, "STATIC_TOKEN");
        config.put(AvroSerdeConfig.BEARER_AUTH_TOKEN_CONFIG, "t0ken");
        config.put(AvroSerdeConfig.BEARER_AUTH_LOGICAL_CLUSTER_CONFIG, "lsrc-12345");
        config.put(AvroSerdeConfig.BEARER_AUTH_IDENTITY_POOL_ID_CONFIG, "pool-ab,pool-cd");
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo("Bearer t0ken"))
                .withHeader("target-sr-cluster", equalTo("lsrc-12345"))
                .withHeader("Confluent-Identity-Pool-Id", equalTo("pool-ab,pool-cd")));
    }

    @Test
    void sendsNoBearerTargetsWithBasicAuth() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:secret");
        config.put(AvroSerdeConfig.BEARER_AUTH_LOGICAL_CLUSTER_CONFIG, "lsrc-12345");
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo(basic("fred:secret")))
                .withoutHeader("target-sr-cluster"));
    }

    @Test
    void sendsTheKafkaClientsSaslLoginAsBasicAuthWhenToldToInheritIt() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"alice\" password=\"pw\";");
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo(basic("alice:pw"))));
    }

    @Test
    void sendsEveryRequestThroughTheConfiguredProxy() {
        // Only the proxy (here the stub registry, which serves the absolute URI's path) can reach this host.
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://registry.invalid:8081");
        config.put(AvroSerdeConfig.PROXY_HOST_CONFIG, "localhost");
        config.put(AvroSerdeConfig.PROXY_PORT_CONFIG, REGISTRY.getPort());
        stubSchemaOneAsString();

        assertThat(client().getSchemaById(1)).isEqualTo(Schema.create(Schema.Type.STRING));
        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Host",
                equalTo("registry.invalid:8081")));
    }

    @Test
    void aProxyHostWithoutAPortIsAConfigError() {
        config.put(AvroSerdeConfig.PROXY_HOST_CONFIG, "proxy.example");

        assertThatThrownBy(this::client).isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.PROXY_PORT_CONFIG);
    }

    @Test
    void aBearerSourceWithoutATokenIsAConfigError() {
        config.put(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, "STATIC_TOKEN");

        assertThatThrownBy(this::client).isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_TOKEN_CONFIG);
    }

    @Test
    void takesUserInfoFromConfluentsPrefixedAlias() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_USER_INFO_CONFIG, "ann:pw");
        stubSchemaOneAsString();

        client().getSchemaById(1);

        REGISTRY.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Authorization",
                equalTo(basic("ann:pw"))));
    }

    @Test
    void asksForNormalizedSchemasWhenToldTo() {
        config.put(AvroSerdeConfig.NORMALIZE_SCHEMAS_CONFIG, true);
        REGISTRY.stubFor(post(urlPathEqualTo("/subjects/test/versions")).willReturn(confluent(200, "{\"id\": 1}")));
        REGISTRY.stubFor(post(urlPathEqualTo("/subjects/test")).willReturn(confluent(200,
                "{\"subject\": \"test\", \"version\": 1, \"id\": 2, \"schema\": \"\\\"long\\\"\"}")));

        client().register("test", STRING);
        client().getId("test", Schema.create(Schema.Type.LONG));

        REGISTRY.verify(postRequestedFor(urlEqualTo("/subjects/test/versions?normalize=true")));
        REGISTRY.verify(postRequestedFor(urlEqualTo("/subjects/test?normalize=true")));
    }

    @Test
    void holdsAtMostMaxSchemasPerSubjectAndAsksAgainForOneItLetGo() {
        config.put(AvroSerdeConfig.MAX_SCHEMAS_PER_SUBJECT_CONFIG, 1);
        REGISTRY.stubFor(post("/subjects/test/versions").willReturn(confluent(200, "{\"id\": 1}")));
        SchemaRegistryClient client = client();
        Schema other = Schema.create(Schema.Type.LONG);
        client.register("test", STRING);
        client.register("test", STRING);
        REGISTRY.verify(1, postRequestedFor(urlPathEqualTo("/subjects/test/versions")));

        client.register("test", other);
        client.register("test", STRING);
        client.register("test", other);

        // One of the two at a time: at least one of the last two calls asked again, and none was refused.
        assertThat(REGISTRY.findAll(postRequestedFor(urlPathEqualTo("/subjects/test/versions")))).hasSizeGreaterThan(3);
    }

    private SchemaRegistryClient client() {
        return SchemaRegistryClient.create(config);
    }

    private static ResponseDefinitionBuilder confluent(int status, String body) {
        return okForContentType(CONTENT_TYPE, body).withStatus(status);
    }

    private static void assertRegistryError(Throwable e, int status, int errorCode) {
        SchemaRegistryException error = (SchemaRegistryException) e;
        assertThat(error.status()).isEqualTo(status);
        assertThat(error.errorCode()).isEqualTo(errorCode);
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The registry answers schema id 1 with the schema "string". */
    private static void stubSchemaOneAsString() {
        REGISTRY.stubFor(get("/schemas/ids/1").willReturn(confluent(200, "{\"schema\": \"\\\"string\\\"\"}")));
    }
}
