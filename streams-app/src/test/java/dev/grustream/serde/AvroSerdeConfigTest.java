package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AvroSerdeConfigTest {
    private static final String URL = "http://registry:8081";

    @Test
    void defaultsMatchConfluents() {
        AvroSerdeConfig config = config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL));

        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.removeJavaProperties()).isFalse();
        assertThat(config.specificAvroReader()).isFalse();
        assertThat(config.credentialsFromConfig()).isFalse();
        assertThat(config.subjectNameStrategy(true)).isInstanceOf(TopicNameStrategy.class);
        assertThat(config.subjectNameStrategy(false)).isInstanceOf(TopicNameStrategy.class);
        assertThat(config.missingIdTtl()).isZero();
    }

    @Test
    void readsEveryKey() {
        AvroSerdeConfig config = config(Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://a:8081, https://b:8082/registry",
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "false",
                AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true,
                AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, "true",
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO",
                AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "fred:letmein",
                AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, "1500",
                AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, 2500,
                AvroSerdeConfig.MISSING_ID_CACHE_TTL_SEC_CONFIG, "30",
                AvroSerdeConfig.MISSING_CACHE_SIZE_CONFIG, 50));

        assertThat(config.schemaRegistryUrls()).containsExactly("http://a:8081", "https://b:8082/registry");
        assertThat(config.mockScope()).isEmpty();
        assertThat(config.autoRegisterSchemas()).isFalse();
        assertThat(config.useLatestVersion()).isTrue();
        assertThat(config.specificAvroReader()).isTrue();
        assertThat(config.credentialsFromConfig()).isTrue();
        assertThat(config.basicAuthUserInfo()).contains("fred:letmein");
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.missingIdTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.missingCacheSize()).isEqualTo(50);
    }

    @Test
    void mockUrlNamesAScope() {
        assertThat(config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://my-test")).mockScope())
                .contains("my-test");
    }

    @ParameterizedTest
    @CsvSource({
        "TopicNameStrategy, dev.grustream.serde.TopicNameStrategy",
        "dev.grustream.serde.TopicNameStrategy, dev.grustream.serde.TopicNameStrategy",
        "io.confluent.kafka.serializers.subject.TopicNameStrategy, dev.grustream.serde.TopicNameStrategy",
        "RecordNameStrategy, dev.grustream.serde.RecordNameStrategy",
        "dev.grustream.serde.RecordNameStrategy, dev.grustream.serde.RecordNameStrategy",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy, dev.grustream.serde.RecordNameStrategy",
        "TopicRecordNameStrategy, dev.grustream.serde.TopicRecordNameStrategy",
        "dev.grustream.serde.TopicRecordNameStrategy, dev.grustream.serde.TopicRecordNameStrategy",
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, dev.grustream.serde.TopicRecordNameStrategy"
    })
    void subjectNameStrategyAcceptsOurAndConfluentsNames(String configured, String expectedClass) {
        AvroSerdeConfig config = config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY_CONFIG, configured,
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, configured));

        assertThat(config.subjectNameStrategy(true).getClass().getName()).isEqualTo(expectedClass);
        assertThat(config.subjectNameStrategy(false).getClass().getName()).isEqualTo(expectedClass);
    }

    @Test
    void subjectNameStrategyAcceptsAClass() {
        AvroSerdeConfig config = config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, RecordNameStrategy.class));

        assertThat(config.subjectNameStrategy(false)).isInstanceOf(RecordNameStrategy.class);
    }

    @Test
    void rejectsAnUnknownSubjectNameStrategyNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "com.example.MyStrategy"),
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG);
    }

    @Test
    void rejectsAnUnsupportedCredentialsSourceNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "KERBEROS"),
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG);
    }

    @Test
    void saslInheritTakesTheUsernameAndPasswordOfTheKafkaClientsLogin() {
        AvroSerdeConfig config = config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"alice\" password=\"s3cr;et\";"));

        assertThat(config.credentialsFromConfig()).isTrue();
        assertThat(config.basicAuthUserInfo()).contains("alice:s3cr;et");
    }

    @Test
    void saslInheritReadsTheLoginGivenAsAKafkaPassword() {
        AvroSerdeConfig config = config(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT",
                SaslConfigs.SASL_JAAS_CONFIG, new Password("org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"bob\" password=\"pw\";")));

        assertThat(config.basicAuthUserInfo()).contains("bob:pw");
    }

    @Test
    void rejectsSaslInheritWithoutAUsernameAndPasswordNamingTheJaasKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                        + " required;"),
                SaslConfigs.SASL_JAAS_CONFIG);
    }

    @Test
    void rejectsSaslInheritWithNoLoginAnywhereSayingSo() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT"),
                SaslConfigs.SASL_JAAS_CONFIG).hasMessageContaining("no KafkaClient entry");
    }

    @Test
    void rejectsAProxyHostGivenAsAUrl() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.PROXY_HOST_CONFIG, "http://proxy.example", AvroSerdeConfig.PROXY_PORT_CONFIG, 3128),
                AvroSerdeConfig.PROXY_HOST_CONFIG);
    }

    @Test
    void rejectsAnUnreadableLoginForSaslInheritWithoutQuotingIt() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "SASL_INHERIT",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule hunter2"
                        + " username=\"bob\";"),
                SaslConfigs.SASL_JAAS_CONFIG).message().doesNotContain("hunter2");
    }

    @Test
    void rejectsUserInfoSourceWithoutUserInfoNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO"),
                AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG);
    }

    @Test
    void rejectsUserInfoWithoutColonNamingTheKeyButNotTheSecret() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, "justapassword"),
                AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG)
                .hasMessageNotContaining("justapassword");
    }

    @Test
    void rejectsANonBooleanNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "sometimes"),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG);
    }

    @Test
    void rejectsANegativeMissingIdTtlNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.MISSING_ID_CACHE_TTL_SEC_CONFIG, -1), AvroSerdeConfig.MISSING_ID_CACHE_TTL_SEC_CONFIG);
    }

    @Test
    void rejectsANonPositiveTimeoutNamingTheKey() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, 0),
                AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG);
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry:8081", "ftp://registry:8081", "http://", "mock://", "mock://a,mock://b",
        "mock://a,http://registry:8081", "http://registry:8081/a b"})
    void rejectsAMalformedUrlNamingTheKey(String urls) {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, urls),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG);
    }

    @Test
    void rejectionOfAUrlDoesNotEchoItsPassword() {
        assertInvalid(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "ftp://fred:s3cret@registry:8081"),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void buildingAClientWithoutUrlNamesTheKey() {
        assertThatThrownBy(() -> SchemaRegistryClient.create(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG);
    }

    @Test
    void configuringASerdeWithoutUrlNamesTheKey() {
        assertThatThrownBy(() -> new GenericAvroSerde().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG);
    }

    @Test
    void ignoresKeysItDoesNotKnow() {
        Map<String, Object> streamsConfig = new HashMap<>(Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, URL,
                "application.id", "gru-stream",
                "bootstrap.servers", "localhost:9092"));

        assertThat(config(streamsConfig).schemaRegistryUrls()).isEqualTo(List.of(URL));
    }

    @Test
    void everyKeyHasADoc() {
        assertThat(AvroSerdeConfig.configDef().configKeys().values())
                .allSatisfy(key -> assertThat(key.documentation).isNotBlank());
    }

    private static AvroSerdeConfig config(Map<String, ?> props) {
        return new AvroSerdeConfig(props);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(
            Map<String, ?> props, String key) {
        return assertThatThrownBy(() -> config(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @Test
    void aCallNoRegistryAnswersLastsEveryRoundsRequestsAndTheWaitsBetweenThem() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "http://r1:8081,http://r2:8081", AvroSerdeConfig.MAX_RETRIES_CONFIG, 10));

        // 11 rounds over 2 URLs of 30 s each, and waits of 1, 2, 4, 8 and 16 s, then 20 s five times.
        assertThat(config.longestUnansweredCall()).isEqualTo(Duration.ofSeconds(2 * 11 * 30 + 31 + 5 * 20));
    }

    @Test
    void aCallWithOAuthMayWaitForTheTokenEndpointsAttemptsFirst() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "http://r1:8081", AvroSerdeConfig.MAX_RETRIES_CONFIG, 2,
                AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, AvroSerdeConfig.BEARER_SOURCE_OAUTHBEARER,
                AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, "https://idp.example/token",
                AvroSerdeConfig.BEARER_AUTH_CLIENT_ID_CONFIG, "gru-stream",
                AvroSerdeConfig.BEARER_AUTH_CLIENT_SECRET_CONFIG, "secret"));

        // The registry: 3 rounds of 30 s and waits of 1 and 2 s; the token endpoint: 3 attempts of 10 s to connect
        // and 30 s to answer, and the same waits.
        assertThat(config.longestUnansweredCall()).isEqualTo(Duration.ofSeconds(3 * 30 + 3 + 3 * 40 + 3));
    }

    @Test
    @Timeout(10)
    void aCallNoRegistryAnswersIsBoundedAtOnceForAnyCountOfRetries() {
        AvroSerdeConfig withoutWaits = new AvroSerdeConfig(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG,
                "http://r1:8081", AvroSerdeConfig.MAX_RETRIES_CONFIG, Integer.MAX_VALUE,
                AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 0));
        AvroSerdeConfig waitsThatNeverReachTheLongest = new AvroSerdeConfig(Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://r1:8081", AvroSerdeConfig.MAX_RETRIES_CONFIG, 40,
                AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG, 1, AvroSerdeConfig.RETRIES_MAX_WAIT_MS_CONFIG,
                Integer.MAX_VALUE));

        assertThat(withoutWaits.longestUnansweredCall()).isEqualTo(Duration.ofSeconds(30L * (1L << 31)));
        // Waits of 1, 2, 4, ... 2^30 ms, then 2^30 ms nine times: the doubling stops there.
        assertThat(waitsThatNeverReachTheLongest.longestUnansweredCall()).isEqualTo(Duration.ofSeconds(41 * 30)
                .plusMillis((1L << 31) - 1 + 9 * (1L << 30)));
    }
}
