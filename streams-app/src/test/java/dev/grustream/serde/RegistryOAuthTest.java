package dev.grustream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.grustream.testing.SelfSignedTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bearer.auth.credentials.source=OAUTHBEARER} against one WireMock server playing both the OAuth token endpoint
 * ({@code /oauth/token}) and the registry: the client-credentials grant, the token kept and renewed, the errors.
 */
class RegistryOAuthTest {
    /** Kafka's OAuth client reaches only the token endpoints this JVM-wide property lists. */
    private static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String TOKEN_PATH = "/oauth/token";
    private static final String SECRET = "s3cr3t-value";

    @RegisterExtension
    static final WireMockExtension SERVER = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private final Map<String, Object> config = new HashMap<>();
    private String tokenUrl;

    @BeforeEach
    void configureTheClientCredentialsGrant() {
        tokenUrl = WireMockUrls.of(SERVER) + TOKEN_PATH;
        System.setProperty(ALLOWED_URLS, tokenUrl);
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, WireMockUrls.of(SERVER));
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 0);
        config.put(AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 1);
        config.put(AvroSerdeConfig.RETRIES_MAX_WAIT_MS_CONFIG, 1);
        config.put(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, "OAUTHBEARER");
        config.put(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, tokenUrl);
        config.put(AvroSerdeConfig.BEARER_AUTH_CLIENT_ID_CONFIG, "gru-stream");
        config.put(AvroSerdeConfig.BEARER_AUTH_CLIENT_SECRET_CONFIG, SECRET);
        SERVER.stubFor(get(urlMatching("/schemas/ids/[0-9]+"))
                .willReturn(okForContentType(CONTENT_TYPE, "{\"schema\": \"\\\"string\\\"\"}")));
    }

    @AfterEach
    void forgetTheAllowedUrls() {
        System.clearProperty(ALLOWED_URLS);
    }

    @Test
    void fetchesATokenByTheClientCredentialsGrantAndSendsItAsBearer() {
        config.put(AvroSerdeConfig.BEARER_AUTH_SCOPE_CONFIG, "schema_registry");
        config.put(AvroSerdeConfig.BEARER_AUTH_LOGICAL_CLUSTER_CONFIG, "lsrc-12345");
        String token = jwt("gru-stream", 3600);
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(token)));

        assertThat(client().getSchemaById(1)).isEqualTo(Schema.create(Schema.Type.STRING));

        SERVER.verify(postRequestedFor(urlEqualTo(TOKEN_PATH))
                .withHeader("Authorization", equalTo("Basic " + base64("gru-stream:" + SECRET)))
                .withRequestBody(equalTo("grant_type=client_credentials&scope=schema_registry")));
        SERVER.verify(getRequestedFor(urlEqualTo("/schemas/ids/1"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("target-sr-cluster", equalTo("lsrc-12345")));
    }

    @Test
    void keepsOneTokenForManyRequests() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(jwt("gru-stream", 3600))));
        SchemaRegistryClient client = client();

        for (int id = 1; id <= 3; id++) {
            client.getSchemaById(id);
        }

        SERVER.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)));
        SERVER.verify(3, getRequestedFor(urlMatching("/schemas/ids/[0-9]+")));
    }

    @Test
    void aTokenTheRegistryRefusesIsReplacedOnceByANewOne() {
        String revoked = jwt("first", 3600);
        String fresh = jwt("second", 3600);
        SERVER.stubFor(post(TOKEN_PATH).inScenario("tokens").whenScenarioStateIs(STARTED)
                .willReturn(tokenAnswer(revoked)).willSetStateTo("one issued"));
        SERVER.stubFor(post(TOKEN_PATH).inScenario("tokens").whenScenarioStateIs("one issued")
                .willReturn(tokenAnswer(fresh)));
        SERVER.stubFor(get("/schemas/ids/1").withHeader("Authorization", equalTo("Bearer " + revoked))
                .willReturn(unauthorized()));

        assertThat(client().getSchemaById(1)).isEqualTo(Schema.create(Schema.Type.STRING));

        SERVER.verify(2, postRequestedFor(urlEqualTo(TOKEN_PATH)));
        SERVER.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Authorization",
                equalTo("Bearer " + fresh)));
    }

    @Test
    void aRegistryThatRefusesEveryTokenIsAnAuthenticationErrorAfterOneRenewal() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(jwt("gru-stream", 3600))));
        SERVER.stubFor(get("/schemas/ids/1").willReturn(unauthorized()));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));

        SERVER.verify(2, getRequestedFor(urlEqualTo("/schemas/ids/1")));
        SERVER.verify(2, postRequestedFor(urlEqualTo(TOKEN_PATH)));
    }

    @Test
    void aTokenEndpointThatRefusesTheClientIsAnAuthenticationErrorThatNamesTheSettings() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\": \"invalid_client\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining(tokenUrl).hasMessageContaining("bearer.auth.client.secret")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        SERVER.verify(0, getRequestedFor(urlMatching("/schemas/.*")));
    }

    @Test
    void aTokenEndpointThatFailsIsAnOutage() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining(tokenUrl);
        SERVER.verify(0, getRequestedFor(urlMatching("/schemas/.*")));
    }

    @Test
    void aTokenEndpointThatFailsIsAskedOnceWithinTheRegistrysRetryBudgetOfNone() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
        SERVER.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)));
    }

    @Test
    void aTokenEndpointThatFailsIsAskedOnceMoreForEachRetryOfTheRegistryClient() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 2);
        SERVER.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
        SERVER.verify(3, postRequestedFor(urlEqualTo(TOKEN_PATH)));
    }

    @Test
    void aTokenEndpointThatRefusesTheClientIsNotAskedAgainWhateverTheRetries() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 2);
        SERVER.stubFor(post(TOKEN_PATH).willReturn(aResponse().withStatus(401)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class);
        SERVER.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)));
    }

    @Test
    void aTokenEndpointThatFailsOnceIsAskedAgainAndItsTokenServes() {
        config.put(AvroSerdeConfig.MAX_RETRIES_CONFIG, 1);
        String token = jwt("gru-stream", 3600);
        SERVER.stubFor(post(TOKEN_PATH).inScenario("recovering").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        SERVER.stubFor(post(TOKEN_PATH).inScenario("recovering").whenScenarioStateIs("up")
                .willReturn(tokenAnswer(token)));

        assertThat(client().getSchemaById(1)).isEqualTo(Schema.create(Schema.Type.STRING));
        SERVER.verify(2, postRequestedFor(urlEqualTo(TOKEN_PATH)));
        SERVER.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Authorization",
                equalTo("Bearer " + token)));
    }

    @Test
    void aTokenEndpointSlowerThanTheRequestTimeoutIsAnOutage() {
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, 300);
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(jwt("gru-stream", 3600)).withFixedDelay(5_000)));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasRootCauseInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void anAnswerWithoutATokenIsRefusedWithoutQuotingIt() {
        SERVER.stubFor(post(TOKEN_PATH).willReturn(okJson("{\"refresh_token\": \"" + SECRET + "\"}")));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class).hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET))
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
    }

    @Test
    void basicAuthIsNotSentBesideAnOAuthToken() {
        config.put(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
        config.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:secret");
        String token = jwt("gru-stream", 3600);
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(token)));

        client().getSchemaById(1);

        List<String> authorizations = SERVER.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().equals("/schemas/ids/1"))
                .flatMap(event -> event.getRequest().getHeaders().getHeader("Authorization").values().stream())
                .toList();
        assertThat(authorizations).containsExactly("Bearer " + token);
    }

    @Test
    void aTokenEndpointOverTlsIsTrustedThroughTheRegistryClientsTrustStore(@TempDir Path dir) throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir, "changeit");
        String token = jwt("gru-stream", 3600);
        HttpsServer idp = httpsTokenEndpoint(tls, token);
        try {
            config.put("schema.registry.ssl.truststore.location", tls.trustStore().toString());
            config.put("schema.registry.ssl.truststore.password", "changeit");
            config.put("schema.registry.ssl.truststore.type", "PKCS12");

            client().getSchemaById(1);

            SERVER.verify(getRequestedFor(urlEqualTo("/schemas/ids/1")).withHeader("Authorization",
                    equalTo("Bearer " + token)));
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void aTokenEndpointWhoseCertificateIsNotTrustedIsARefusalNotAnOutage(@TempDir Path dir) throws Exception {
        HttpsServer idp = httpsTokenEndpoint(SelfSignedTls.create(dir, "changeit"), jwt("gru-stream", 3600));
        try {
            assertThatThrownBy(() -> client().getSchemaById(1)).isExactlyInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("TLS handshake").hasCauseInstanceOf(SSLException.class);
        } finally {
            idp.stop(0);
        }
    }

    /** Serves {@code token} at {@value #TOKEN_PATH} over TLS, and points the configuration and Kafka at it. */
    private HttpsServer httpsTokenEndpoint(SelfSignedTls tls, String token) throws Exception {
        HttpsServer idp = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        idp.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        idp.createContext(TOKEN_PATH, exchange -> {
            byte[] answer = ("{\"access_token\": \"" + token + "\", \"expires_in\": 3600}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        idp.start();
        tokenUrl = "https://localhost:" + idp.getAddress().getPort() + TOKEN_PATH;
        System.setProperty(ALLOWED_URLS, tokenUrl);
        config.put(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, tokenUrl);
        return idp;
    }

    @Test
    void aTokenWithoutItsSubjectClaimIsRefusedNamingTheClaimSetting() {
        config.put(AvroSerdeConfig.BEARER_AUTH_SUB_CLAIM_NAME_CONFIG, "client_id");
        SERVER.stubFor(post(TOKEN_PATH).willReturn(tokenAnswer(jwt("gru-stream", 3600))));

        assertThatThrownBy(() -> client().getSchemaById(1)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("bearer.auth.sub.claim.name")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
    }

    @Test
    void aTokenEndpointKafkaIsNotAllowedToReachIsAConfigError() {
        System.clearProperty(ALLOWED_URLS);

        assertThatThrownBy(this::client).isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG)
                .hasMessageContaining(ALLOWED_URLS);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTrustStoreKafkaCannotReadIsAConfigErrorNamingTheSettings(boolean exists, @TempDir Path dir)
            throws IOException {
        Path trustStore = dir.resolve("truststore.p12");
        if (exists) {
            Files.writeString(trustStore, "not a key store");
        }
        tokenUrl = "https://localhost:" + SERVER.getPort() + TOKEN_PATH;
        System.setProperty(ALLOWED_URLS, tokenUrl);
        config.put(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, tokenUrl);
        config.put("schema.registry.ssl.truststore.location", trustStore.toString());
        config.put("schema.registry.ssl.truststore.password", "changeit");

        assertThatThrownBy(this::client).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG,
            AvroSerdeConfig.BEARER_AUTH_CLIENT_ID_CONFIG, AvroSerdeConfig.BEARER_AUTH_CLIENT_SECRET_CONFIG})
    void oauthWithoutEachOfItsSettingsIsAConfigErrorNamingIt(String key) {
        config.remove(key);

        assertThatThrownBy(this::client).isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }

    private SchemaRegistryClient client() {
        return SchemaRegistryClient.create(config);
    }

    private static ResponseDefinitionBuilder tokenAnswer(String token) {
        return okJson("{\"access_token\": \"" + token + "\", \"token_type\": \"Bearer\", \"expires_in\": 3600}");
    }

    private static ResponseDefinitionBuilder unauthorized() {
        return okForContentType(CONTENT_TYPE, "{\"error_code\": 40101, \"message\": \"Unauthorized\"}")
                .withStatus(401);
    }

    /** An unsigned JWT (the client reads a token's claims; only the registry checks its signature). */
    private static String jwt(String subject, long lifeSeconds) {
        long now = Instant.now().getEpochSecond();
        return base64Url("{\"alg\": \"none\"}") + "." + base64Url("{\"sub\": \"" + subject + "\", \"iat\": " + now
                + ", \"exp\": " + (now + lifeSeconds) + "}") + ".c2ln";
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
