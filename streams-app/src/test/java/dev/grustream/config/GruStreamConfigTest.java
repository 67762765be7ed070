package dev.grustream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.grustream.topology.ForecasterSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.WallclockTimestampExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class GruStreamConfigTest {

    @Test
    void aRocksDbMemoryBoundIsZeroOrLargeEnoughToWork() {
        assertThat(new GruStreamConfig(Map.of(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, "0"))
                .getLong(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES)).isZero();
        assertThat(new GruStreamConfig(Map.of(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, "16777216"))
                .getLong(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES)).isEqualTo(16L << 20);
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES, "256")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected 0 (no bound) or at least 16777216 bytes");
    }

    @Test
    void everyOwnKeyHasADefault() {
        GruStreamConfig config = new GruStreamConfig(Map.of());

        assertThat(config.getString(GruStreamConfig.TOPIC_FORECASTS)).isEqualTo("forecasts");
        assertThat(config.getInt(GruStreamConfig.BATCH_MAX_SIZE)).isEqualTo(256);
    }

    @Test
    void everyOwnKeyIsDocumented() {
        GruStreamConfig.definition().configKeys().values()
                .forEach(key -> assertThat(key.documentation).as(key.name).isNotBlank());
    }

    @Test
    void rejectsAnOutOfRangeValueNamingTheKey() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.ANOMALY_THRESHOLD, "1.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.ANOMALY_THRESHOLD)
                .hasMessageContaining("1.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {GruStreamConfig.ANOMALY_THRESHOLD, GruStreamConfig.LEARNER_FORGETTING_EVENTS,
        GruStreamConfig.INPUT_MAX_ABS_NORMALIZED})
    void rejectsNotANumberNamingTheKey(String key) {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(key, "NaN")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining("expected a number in");
    }

    @Test
    void repartitioningWithoutKeyFieldsIsRefusedNamingBoth() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.INPUT_REPARTITION, "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.INPUT_REPARTITION)
                .hasMessageContaining(GruStreamConfig.INPUT_KEY_FIELDS);
    }

    @Test
    void aDefaultTimestampExtractorIsRefusedWhenItWouldReadTheRepartitionTopic() {
        Map<String, String> repartition = Map.of(GruStreamConfig.INPUT_FORMAT, "json",
                GruStreamConfig.INPUT_KEY_FIELDS, "host", GruStreamConfig.INPUT_REPARTITION, "true");
        Map<String, String> extractor = Map.of(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG,
                WallclockTimestampExtractor.class.getName());
        Map<String, String> both = new HashMap<>(repartition);
        both.putAll(extractor);

        assertThatThrownBy(() -> new GruStreamConfig(both)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG)
                .hasMessageContaining(GruStreamConfig.INPUT_REPARTITION);
        assertThatCode(() -> new GruStreamConfig(repartition)).doesNotThrowAnyException();
        assertThatCode(() -> new GruStreamConfig(extractor)).doesNotThrowAnyException();
    }

    @Test
    void rejectsAnInputBoundBeyondWhatTheModelIsTriedOn() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.INPUT_MAX_ABS_NORMALIZED, "1e7")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.INPUT_MAX_ABS_NORMALIZED);
    }

    @Test
    void refusesThePerTaskStateCacheSettingNamingTheBoundThatReplacedIt() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("state.cache.max.keys", "1024")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'state.cache.max.keys'")
                .hasMessageContaining(GruStreamConfig.STATE_CACHE_MAX_BYTES);
    }

    @Test
    void refusesAMisspeltOwnSettingNamingTheSettingsItCouldMean() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("learner.guard.halflife.event", "500")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'learner.guard.halflife.event'")
                .hasMessageContaining(GruStreamConfig.LEARNER_GUARD_HALFLIFE_EVENTS);
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("state.ttl", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.STATE_TTL_MS);
    }

    @Test
    void kafkaSettingsThatShareAPrefixWithOwnOnesPassThrough() {
        Map<String, String> kafka = Map.of("state.dir", "/tmp/s", "batch.size", "65536",
                "metrics.recording.level", "DEBUG", "topic.cleanup.policy", "compact", "schema.registry.url",
                "mock://x", "my.serde.option", "1", "http.connect.timeout.ms", "5000", "metrics.context.env", "prod",
                "topic.confluent.value.schema.validation", "true");

        assertThat(new GruStreamConfig(kafka).passThrough()).containsAllEntriesOf(kafka);
    }

    @Test
    void rejectsAnUnknownBackend() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.MODEL_BACKEND, "gpu")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.MODEL_BACKEND);
    }

    @Test
    void rejectsACriticalThresholdBelowTheAlertThreshold() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.ANOMALY_THRESHOLD, "0.99",
                GruStreamConfig.ANOMALY_CRITICAL_THRESHOLD, "0.9")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.ANOMALY_CRITICAL_THRESHOLD);
    }

    @Test
    void refusesAnHttpTokenThatCannotGoIntoAHeaderWithoutRepeatingIt() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.HTTP_AUTH_TOKEN, "s3cr\u00e9t")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.HTTP_AUTH_TOKEN)
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void refusesAnHttpTokenOfOnlyWhiteSpaceRatherThanTurnAuthenticationOff() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.HTTP_AUTH_TOKEN, "   ")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.HTTP_AUTH_TOKEN);
    }

    @Test
    void acceptsAnHttpTokenAsRfc6750WritesOne() {
        GruStreamConfig config = new GruStreamConfig(Map.of(GruStreamConfig.HTTP_AUTH_TOKEN, "a-Z_0.9~+/x=="));

        assertThat(config.getPassword(GruStreamConfig.HTTP_AUTH_TOKEN).value()).isEqualTo("a-Z_0.9~+/x==");
    }

    @Test
    void rejectsAValueBoundWhoseBufferedRecordsTheProducerWouldRefuse() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.INPUT_MAX_VALUE_BYTES, "600000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.INPUT_MAX_VALUE_BYTES).hasMessageContaining("1048576");
    }

    @Test
    void aValueBoundTheProducerWasAllowedToSendIsValid() {
        GruStreamConfig config = new GruStreamConfig(Map.of(GruStreamConfig.INPUT_MAX_VALUE_BYTES, "600000",
                "producer.max.request.size", "2097152"));

        assertThat(config.getInt(GruStreamConfig.INPUT_MAX_VALUE_BYTES)).isEqualTo(600_000);
    }

    @Test
    void rejectsTwoRolesOnOneTopic() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.TOPIC_ALERTS, "forecasts")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("four different topics");
    }

    @Test
    void passesThroughEveryKeyThatIsNotOwn() {
        GruStreamConfig config = new GruStreamConfig(Map.of("schema.registry.url", "mock://x",
                StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1", GruStreamConfig.BATCH_MAX_SIZE, "8"));

        assertThat(config.passThrough())
                .containsEntry("schema.registry.url", "mock://x")
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1")
                .doesNotContainKey(GruStreamConfig.BATCH_MAX_SIZE);
    }

    @Test
    void defaultsToExactlyOnce() {
        assertThat(new GruStreamConfig(Map.of()).passThrough())
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    }

    @Test
    void summaryHidesSecrets() {
        GruStreamConfig config = new GruStreamConfig(Map.of(
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"app\" password=\"s3cret\";",
                "basic.auth.user.info", "user:pw",
                "ssl.truststore.password", "changeit",
                "schema.registry.url", "https://user:pw@registry:8081"));

        String summary = config.redactedSummary().toString();

        assertThat(summary).doesNotContain("s3cret", "user:pw", "changeit", ":pw@");
        assertThat(config.redactedSummary()).containsEntry("sasl.jaas.config", "[hidden]");
    }

    @Test
    void aDeserializerGivenAsTheOutputSerializerIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.OUTPUT_VALUE_SERIALIZER,
                "org.apache.kafka.common.serialization.ByteArrayDeserializer")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("output.value.serializer")
                .hasMessageContaining("is not a org.apache.kafka.common.serialization.Serializer");
    }

    /** A password may hold '/', '@' or ',' (the registry URL a list of addresses, not all of them with one). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://u:pa/ss@registry-1:8081,https://u:p@ss@registry-2:8081"
                + "|https://[hidden]@registry-1:8081,https://[hidden]@registry-2:8081",
        "https://u:pa,ss@registry-1:8081,https://registry-2:8081,https://v:q@registry-3:8081"
                + "|https://[hidden]@registry-1:8081,https://registry-2:8081,https://[hidden]@registry-3:8081"})
    void aPasswordHoldingAnAddressesCharactersIsHiddenFromTheSummary(String urls, String shown) {
        GruStreamConfig config = new GruStreamConfig(Map.of("schema.registry.url", urls));

        assertThat(config.redactedSummary()).containsEntry("schema.registry.url", shown);
    }

    @Test
    void commandLineBeatsEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gru.properties");
        Files.writeString(file, "batch.max.size=10\nbatch.linger.ms=7\ntopic.alerts=file-alerts\n");

        Map<String, String> merged = ConfigSources.merge(file,
                Map.of("GRU_STREAM_BATCH_MAX_SIZE", "20", "GRU_STREAM_TOPIC_ALERTS", "env-alerts", "HOME", "/root"),
                Map.of("topic.alerts", "cli-alerts"));

        assertThat(merged)
                .containsEntry("batch.max.size", "20")
                .containsEntry("batch.linger.ms", "7")
                .containsEntry("topic.alerts", "cli-alerts")
                .doesNotContainKey("home");
    }

    @Test
    void aSettingTheEnvironmentTakesFromTheFileIsLogged(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gru.properties");
        Files.writeString(file, "state.dir=/var/lib/mine\nbatch.max.size=10\nbatch.linger.ms=7\n");
        Logger logger = (Logger) LoggerFactory.getLogger(ConfigSources.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            ConfigSources.merge(file, Map.of("GRU_STREAM_STATE_DIR", "/data", "GRU_STREAM_BATCH_MAX_SIZE", "10",
                    "GRU_STREAM_BATCH_LINGER_MS", "9"), Map.of("batch.linger.ms", "8"));
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Setting state.dir is taken from the environment (GRU_STREAM_STATE_DIR), not from " + file);
    }

    @Test
    void topicSettingsKafkaDoesNotNameAreFound() {
        GruStreamConfig config = new GruStreamConfig(Map.of("topic.dead.letter", "dlq", "topic.retention.ms", "1000",
                "topic.dead.letters", "dlq", "topic.min.insync.replicas", "2", "topic.segment.byte", "1"));

        assertThat(config.unknownTopicSettings()).containsExactly("topic.dead.letter", "topic.segment.byte");
    }

    @Test
    void environmentVariableNamesMapToKeys() {
        assertThat(ConfigSources.keyOf("GRU_STREAM_SCHEMA_REGISTRY_URL")).isEqualTo("schema.registry.url");
        assertThat(ConfigSources.environmentVariableOf("state.ttl.ms")).isEqualTo("GRU_STREAM_STATE_TTL_MS");
    }

    @Test
    void environmentVariablesReadDashesAndUnderscoresAsConfluentsImagesDo() {
        assertThat(ConfigSources.keyOf("GRU_STREAM_MAX__POLL___RECORDS")).isEqualTo("max-poll_records");
        assertThat(ConfigSources.keyOf("GRU_STREAM_A____B")).isEqualTo("a_.b");
        for (String key : List.of("sasl.jaas.config", "processing.exception.handler.global.enabled", "odd-key_x.y")) {
            assertThat(ConfigSources.keyOf(ConfigSources.environmentVariableOf(key))).isEqualTo(key);
        }
    }

    @Test
    void theLaunchersOwnVariablesAreNotSettings() {
        Map<String, String> settings = ConfigSources.fromEnvironment(Map.of("GRU_STREAM_JAVA_OPTS", "-Xmx1g",
                "GRU_STREAM_LOG_LEVEL", "DEBUG", "GRU_STREAM_KAFKA_LOG_LEVEL", "INFO",
                "GRU_STREAM_BATCH_MAX_SIZE", "9"));

        assertThat(settings).containsExactly(Map.entry("batch.max.size", "9"));
    }

    @Test
    void aForecastCoverageAboveTheAlertRulesIsValidWhileIntervalAlertsAreOff() {
        GruStreamConfig config = new GruStreamConfig(Map.of(GruStreamConfig.FORECAST_INTERVAL_COVERAGE, "0.995"));

        assertThat(ForecasterSettings.rules(config).learner().coverage()).isEqualTo(0.995);
    }

    @Test
    void aForecastCoverageAboveTheAlertRulesIsRefusedNamingBothWhileIntervalAlertsAreOn() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.FORECAST_INTERVAL_COVERAGE, "0.995",
                GruStreamConfig.ANOMALY_INTERVAL_ENABLED, "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.ANOMALY_INTERVAL_COVERAGE)
                .hasMessageContaining(GruStreamConfig.FORECAST_INTERVAL_COVERAGE);
    }

    @Test
    void intervalAlertsWithoutLearningAreRefusedNamingBoth() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.ANOMALY_INTERVAL_ENABLED, "true",
                GruStreamConfig.LEARNER_ENABLED, "false")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.ANOMALY_INTERVAL_ENABLED)
                .hasMessageContaining(GruStreamConfig.LEARNER_ENABLED);
    }

    @Test
    void profileBinsThatDoNotDivideADayAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.LEARNER_PROFILE_BINS, "29")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.LEARNER_PROFILE_BINS);
    }

    @Test
    void theVariablesKubernetesSetsForAServiceAreNotSettings() {
        Map<String, String> environment = new HashMap<>(Map.of("GRU_STREAM_BATCH_MAX_SIZE", "9",
                "GRU_STREAM_HTTP_PORT", "tcp://10.0.0.5:8080",
                "GRU_STREAM_HTTP_SERVICE_HOST", "10.0.0.5",
                "GRU_STREAM_HTTP_SERVICE_PORT", "8080",
                "GRU_STREAM_HTTP_SERVICE_PORT_QUERIES", "8080",
                "GRU_STREAM_HTTP_PORT_8080_TCP", "tcp://10.0.0.5:8080",
                "GRU_STREAM_HTTP_PORT_8080_TCP_PROTO", "tcp",
                "GRU_STREAM_HTTP_PORT_8080_TCP_PORT", "8080",
                "GRU_STREAM_HTTP_PORT_8080_TCP_ADDR", "10.0.0.5"));
        environment.put("GRU_STREAM_PORT", "tcp://10.0.0.6:80");
        environment.put("GRU_STREAM_SERVICE_HOST", "10.0.0.6");

        assertThat(ConfigSources.fromEnvironment(environment)).containsExactly(Map.entry("batch.max.size", "9"));
    }

    @Test
    void aPortSetByItsVariableIsASetting() {
        assertThat(ConfigSources.fromEnvironment(Map.of("GRU_STREAM_HTTP_PORT", "9000")))
                .containsExactly(Map.entry("http.port", "9000"));
    }

    @Test
    void aFileSavedWithAByteOrderMarkKeepsItsFirstSetting(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gru.properties");
        Files.writeString(file, "\uFEFFbootstrap.servers=broker:9092\nbatch.max.size=10\n");

        assertThat(ConfigSources.merge(file, Map.of(), Map.of())).containsEntry("bootstrap.servers", "broker:9092")
                .containsEntry("batch.max.size", "10").hasSize(2);
    }

    @Test
    void unreadableFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");

        assertThatThrownBy(() -> ConfigSources.merge(missing, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void httpDefaultsToPort8080OnEveryInterface() {
        GruStreamConfig config = new GruStreamConfig(Map.of());

        assertThat(config.getBoolean(GruStreamConfig.HTTP_ENABLED)).isTrue();
        assertThat(config.getInt(GruStreamConfig.HTTP_PORT)).isEqualTo(8080);
        assertThat(config.getString(GruStreamConfig.HTTP_BIND_ADDRESS)).isEqualTo("0.0.0.0");
    }

    @Test
    void aMachineNameThatCannotBeAUrlsHostIsRefusedAsTheAdvertisedHost() {
        assertThatThrownBy(() -> GruStreamConfig.advertisable("gru_1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.HTTP_ADVERTISED_HOST).hasMessageContaining("gru_1");
        assertThat(GruStreamConfig.advertisable("gru-1.example")).isEqualTo("gru-1.example");
        assertThat(GruStreamConfig.advertisable("fe80:0:0:0:0:0:0:1")).isEqualTo("fe80:0:0:0:0:0:0:1");
    }

    @Test
    void advertisedHostDefaultsToThisMachinesName() {
        assertThat(new GruStreamConfig(Map.of()).advertisedHost()).isNotBlank();
        assertThat(new GruStreamConfig(Map.of(GruStreamConfig.HTTP_ADVERTISED_HOST, "gru-1")).advertisedHost())
                .isEqualTo("gru-1");
    }

    @Test
    void rejectsAnAdvertisedHostWithAPortOrScheme() {
        for (String bad : List.of("gru-1:8080", "http://gru-1", "gru 1", "gru-1/x")) {
            assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.HTTP_ADVERTISED_HOST, bad)))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(GruStreamConfig.HTTP_ADVERTISED_HOST);
        }
    }

    @Test
    void acceptsAnIpv6AdvertisedHostInBrackets() {
        assertThat(new GruStreamConfig(Map.of(GruStreamConfig.HTTP_ADVERTISED_HOST, "[::1]")).advertisedHost())
                .isEqualTo("[::1]");
    }

    @Test
    void theDeadLetterQueueTopicIsSetByTopicDeadLettersOnly() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("errors.dead.letter.queue.topic.name", "my-dlq")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.TOPIC_DEAD_LETTERS);
    }

    @Test
    void applicationServerIsDerivedNotSetWhileHttpIsEnabled() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("application.server", "a:1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.HTTP_ADVERTISED_HOST);
    }

    @Test
    void applicationServerIsRefusedWhileHttpIsDisabledAsNothingWouldAnswerAtIt() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of("application.server", "a:1",
                GruStreamConfig.HTTP_ENABLED, "false")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("application.server")
                .hasMessageContaining(GruStreamConfig.HTTP_ENABLED + "=false");
    }

    @Test
    void rejectsAModelTopicThatIsADataTopic() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.MODEL_TOPIC, "observations")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.MODEL_TOPIC);
    }

    @Test
    void rejectsAModelTopicLimitBelowTheBrokersDefault() {
        assertThatThrownBy(() -> new GruStreamConfig(Map.of(GruStreamConfig.MODEL_TOPIC_MAX_BYTES, "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(GruStreamConfig.MODEL_TOPIC_MAX_BYTES);
    }
}
