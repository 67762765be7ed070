package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.input.InboundObservation;
import dev.grustream.serde.AvroSerializationException;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import dev.grustream.testing.Logs;
import io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dead-letter handlers blame a record only for what is its own fault: bytes that do not decode, a schema id
 * nobody knows, a record that made the processor throw. A registry that refuses the credentials, or a state store
 * that cannot be written, fails the task instead, so that valid records are not thrown away.
 */
class DeadLetterHandlersTest {
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SERIES = "web-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 1, 2};
    private static final long NOW = System.currentTimeMillis();

    private final DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
    private final DeadLetterProcessingHandler processing = new DeadLetterProcessingHandler();
    private final ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
            TimestampType.CREATE_TIME, KEY.length, VALUE.length, KEY, VALUE, new RecordHeaders(), Optional.empty());

    @BeforeEach
    void configure() {
        Map<String, Object> configs = Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dead-letters");
        deserialization.configure(configs);
        processing.configure(configs);
    }

    @Test
    void anUnknownSchemaIdIsDeadLettered() {
        SchemaRegistryException notFound = new SchemaRegistryException("no such schema", 404,
                SchemaRegistryException.SCHEMA_NOT_FOUND);
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new AvroSerializationException(AvroSerializationException.Reason.UNKNOWN_SCHEMA_ID, 1, "unknown",
                        notFound));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> assertThat(
                new String(letter.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("unknown-schema-id"));
    }

    @Test
    void aRecordReadAgainAfterTheRepartitionIsDeadLetteredAsTheInputRecordWithoutTheHeadersCarryingIt() {
        long inputTimestamp = NOW - 5_000;
        Headers headers = new RecordHeaders().add("trace", KEY);
        InputOrigin.addTimestampTo(headers, inputTimestamp);
        InputOrigin.addSourceTo(headers, "observations", 2, 1234, KEY);
        ConsumerRecord<byte[], byte[]> repartitioned = new ConsumerRecord<>(
                "app-" + GruStreamTopology.REPARTITION_TOPIC, 0, 7, NOW - 86_400_000,
                TimestampType.CREATE_TIME, SERIES.length, VALUE.length, SERIES, VALUE, headers, Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW),
                repartitioned, new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo(KEY);
            assertThat(letter.timestamp()).isEqualTo(inputTimestamp);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.PARTITION_HEADER)).isEqualTo("2");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("1234");
            assertThat(letter.headers().lastHeader(InputOrigin.RECORD_TIMESTAMP_HEADER)).isNull();
            assertThat(letter.headers().lastHeader(InputOrigin.SOURCE_HEADER)).isNull();
            assertThat(letter.headers().lastHeader("trace")).isNotNull();
        });
    }

    @Test
    void aFloodOfBadRecordsIsDeadLetteredInFullButLoggedAtWarnTenTimesAMinutePerReason() {
        List<DeserializationExceptionHandler.Response> responses = new ArrayList<>();

        List<ILoggingEvent> logged = Logs.of(DeadLetterDeserializationHandler.class, () -> {
            for (int i = 0; i < 25; i++) {
                responses.add(deserialization.handleError(context(NOW), record,
                        new SerializationException("not Avro")));
            }
            responses.add(deserialization.handleError(context(NOW), record, new AvroSerializationException(
                    AvroSerializationException.Reason.UNKNOWN_SCHEMA_ID, 1, "unknown", null)));
        });

        assertThat(responses).allSatisfy(response -> assertThat(response.deadLetterQueueRecords()).hasSize(1))
                .hasSize(26);
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .hasSize(11).anySatisfy(line -> assertThat(line).contains("(unknown-schema-id)"));
    }

    @Test
    void aBugFailingEveryRecordLogsTenStackTracesAMinute() {
        List<ILoggingEvent> logged = Logs.of(DeadLetterProcessingHandler.class, () -> {
            for (int i = 0; i < 25; i++) {
                processing.handleError(context(NOW), record(), new IllegalArgumentException("a bug"));
            }
        });

        assertThat(logged).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(10)
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
    }

    @Test
    void bytesThatDoNotDecodeAreDeadLettered() {
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
    }

    @Test
    void aMessageQuotingALongInputIsCutSoTheDeadLetterStaysNearTheInputsSize() {
        String full = "the event time '" + "x".repeat(600_000) + "' is not a time";
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException(full));

        Headers headers = response.deadLetterQueueRecords().get(0).headers();
        String message = DeadLetters.header(headers, DeadLetters.MESSAGE_HEADER);
        assertThat(message).hasSizeLessThan(2_100).startsWith("the event time 'xxx")
                .endsWith("(" + full.length() + " characters in all)");
    }

    @Test
    void aLongMessageIsNotCutBetweenTheTwoHalvesOfACharacter() {
        String full = "x".repeat(DeadLetters.MAX_MESSAGE_CHARS - 1) + "\uD83D\uDE00" + "y".repeat(100);

        Headers headers = DeadLetters.headers(null, DeadLetterReason.UNDECODABLE, full, "readings", 0, 7);

        assertThat(DeadLetters.header(headers, DeadLetters.MESSAGE_HEADER))
                .isEqualTo("x".repeat(DeadLetters.MAX_MESSAGE_CHARS - 1) + "... (" + full.length()
                        + " characters in all)");
    }

    @Test
    void anotherLibrarysDeserializerThatCannotReachItsRegistryFailsTheTaskInsteadOfDeadLettering() {
        // As Confluent's KafkaAvroDeserializer reports it: a SerializationException caused by the network error.
        SerializationException unreachable = new SerializationException("Error retrieving Avro schema for id 1",
                new java.net.ConnectException("Connection refused"));

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                unreachable);

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void aRegistryItCannotReachIsLoggedInOneLineNamingTheCause() {
        SerializationException unreachable = new SerializationException("Error retrieving Avro schema for id 1",
                new java.net.ConnectException("Connection refused"));

        List<ILoggingEvent> logged = Logs.of(DeadLetterDeserializationHandler.class,
                () -> deserialization.handleError(context(NOW), record, unreachable));

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getFormattedMessage()).contains("ConnectException: Connection refused");
            assertThat(event.getThrowableProxy()).as("no stack trace: the failed thread logs it").isNull();
        });
    }

    @Test
    void anIdConfluentsDeserializerCannotFindIsDeadLetteredAsAnUnknownSchemaId() {
        // As Confluent's KafkaAvroDeserializer reports it: the registry's answer under a SerializationException.
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                confluents(new RestClientException("Schema 1 not found", 404, 40403)));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(DeadLetters.header(response.deadLetterQueueRecords().get(0).headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("unknown-schema-id");
    }

    @Test
    void aRegistryThatRefusesConfluentsDeserializerFailsTheTaskInsteadOfDeadLettering() {
        DeserializationExceptionHandler.Response forbidden = deserialization.handleError(context(NOW), record,
                confluents(new RestClientException("User cannot access the resource", 403, 40301)));
        // An answer whose error code is a bare HTTP status (401 Unauthorized) Confluent reports as a config error.
        DeserializationExceptionHandler.Response unauthorized = deserialization.handleError(context(NOW), record,
                new InvalidConfigurationException("Unauthorized; error code: 401"));

        assertThat(forbidden.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(unauthorized.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
    }

    @Test
    void aRateLimitConfluentsDeserializerReportsAsAConfigurationErrorIsAnOutage() {
        assertThat(DeadLetterDeserializationHandler.registryUnreachable(
                new InvalidConfigurationException("Too Many Requests; error code: 429"))).isTrue();
    }

    @Test
    void aRateLimitConfluentsDeserializerReportsAsAThrottlingExceptionFailsTheTaskInsteadOfDeadLettering() {
        // Confluent's serdes since 2024 turn a 429 into this exception, with the message and no cause.
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new ThrottlingQuotaExceededException("Too Many Requests; error code: 429"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void aRegistryThatCannotAnswerConfluentsDeserializerNowFailsTheTaskInsteadOfDeadLettering() {
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                confluents(new RestClientException("Bad Gateway", 502, 50005)));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(DeadLetterDeserializationHandler.registryUnreachable(confluents(
                new RestClientException("Bad Gateway", 502, 50005)))).isTrue();
    }

    private static SerializationException confluents(RestClientException answer) {
        return new SerializationException("Error retrieving Avro schema for id 1", answer);
    }

    @Test
    void aRegistryThatRefusesTheCredentialsFailsTheTaskInsteadOfDeadLettering() {
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SchemaRegistryException("answered GET /schemas/ids/1 with HTTP 401", 401, 40101));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void anUnreachableRegistryFailsTheTaskInsteadOfDeadLettering() {
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SchemaRegistryUnavailableException("no registry answered", -1, -1, null));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
    }

    @Test
    void aRecordThatMadeTheProcessorThrowIsDeadLetteredAsAnInternalError() {
        ProcessingExceptionHandler.Response response = processing.handleError(context(NOW), record(),
                new IllegalArgumentException("a bug"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> assertThat(
                new String(letter.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("internal-error"));
    }

    @Test
    void aProcessingHandlerOfTheUsersOwnDecidesWhatARecordCausedAndABatchFailureStillFailsTheTask() {
        Properties own = GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of(
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName())));
        ProcessingExceptionHandler installed = new StreamsConfig(own).processingExceptionHandler();

        assertThat(installed).isInstanceOf(DeadLetterProcessingHandler.class);
        ProcessingExceptionHandler.Response recordsFault = installed.handleError(context(NOW), record(),
                new IllegalArgumentException("a bug"));
        assertThat(recordsFault.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(recordsFault.deadLetterQueueRecords()).as("Kafka's dead letters, without gru-stream's reason")
                .isNotEmpty().allSatisfy(letter -> assertThat(letter.headers().lastHeader(DeadLetters.REASON_HEADER))
                        .isNull());
        assertThat(installed.handleError(context(NOW), record(), new BatchFailedException("a batch failed",
                new IllegalStateException("refused"))).result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"java.lang.String", "org.example.NoSuchHandler"})
    void aProcessingHandlerThatIsNotOneIsRefusedAtTheStartNamingTheSetting(String handler) {
        GruStreamConfig config = new GruStreamConfig(Map.of(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                handler));

        assertThatThrownBy(() -> GruStreamTopology.streamsProperties(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)
                .hasMessageContaining(handler);
    }

    @Test
    void aRecordThatMadeTheForecasterThrowAfterTheRepartitionIsDeadLetteredAsTheInputRecord() {
        Headers headers = new RecordHeaders();
        InputOrigin.addTimestampTo(headers, NOW - 5_000);
        InputOrigin.addSourceTo(headers, "observations", 2, 1234, null);

        ProcessingExceptionHandler.Response response = processing.handleError(
                context("app-" + GruStreamTopology.REPARTITION_TOPIC, NOW, VALUE, headers), record(),
                new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).as("the input record had none").isNull();
            assertThat(letter.timestamp()).isEqualTo(NOW - 5_000);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.TOPIC_HEADER)).isEqualTo("observations");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.PARTITION_HEADER)).isEqualTo("2");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("1234");
            assertThat(letter.headers().lastHeader(InputOrigin.SOURCE_HEADER)).isNull();
        });
    }

    @Test
    void aDeserializersFailureWithoutAMessageOfItsOwnIsNamedInTheDeadLetter() {
        // What Confluent's deserializer throws for a value shorter than its five-byte header.
        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new BufferUnderflowException());

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("undecodable");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.MESSAGE_HEADER))
                    .isEqualTo("java.nio.BufferUnderflowException: null");
        });
    }

    @Test
    void aStateStoreThatCannotBeWrittenFailsTheTaskInsteadOfDeadLettering() {
        ProcessingExceptionHandler.Response response = processing.handleError(context(NOW), record(),
                new ProcessorStateException("Error while putting key/value into store series-state",
                        new RuntimeException("IO error: No space left on device")));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void anEarlierRecordsFailedSendSurfacingAtThisOneFailsTheTaskInsteadOfDeadLettering() {
        // As Kafka Streams throws it at the next send: in input.repartition's filter node, outside the forecaster.
        ProcessingExceptionHandler.Response response = processing.handleError(context(NOW), record(),
                new StreamsException("Error encountered sending record to topic app-observations-by-series-repartition"
                        + " for task 0_0 due to: org.apache.kafka.common.errors.RecordTooLargeException"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void anUndecodableRecordsDeadLetterIsNeverStampedAheadOfTheClock() {
        ConsumerRecord<byte[], byte[]> ahead = new ConsumerRecord<>("observations", 0, 42, NOW + 2 * 3_600_000L,
                TimestampType.CREATE_TIME, KEY.length, VALUE.length, KEY, VALUE, new RecordHeaders(), Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), ahead,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isLessThanOrEqualTo(System.currentTimeMillis()));
    }

    @Test
    void anUndecodableRecordWithoutATimestampIsDeadLettered() {
        ConsumerRecord<byte[], byte[]> untimed = new ConsumerRecord<>("observations", 0, 42,
                ConsumerRecord.NO_TIMESTAMP, TimestampType.NO_TIMESTAMP_TYPE, KEY.length, VALUE.length, KEY, VALUE,
                new RecordHeaders(), Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), untimed,
                new SerializationException("not Avro"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isNull());
    }

    @Test
    void anInternalErrorsDeadLetterIsNeverStampedAheadOfTheClock() {
        long anHourAndMoreAhead = NOW + 2 * 3_600_000L;

        ProcessingExceptionHandler.Response response = processing.handleError(context(anHourAndMoreAhead),
                record(), new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isLessThanOrEqualTo(System.currentTimeMillis()));
    }

    @Test
    void anInternalErrorAfterTheRepartitionOfAnInputWithoutATimestampIsDeadLettered() {
        Headers headers = new RecordHeaders();
        InputOrigin.addTimestampTo(headers, -1);
        InputOrigin.addSourceTo(headers, "observations", 2, 1234, null);
        InboundObservation observation = InboundObservation.timed(null, NOW, Map.of("value", 1.0), VALUE);
        observation.useRecordTimestamp(-1);

        ProcessingExceptionHandler.Response response = processing.handleError(
                context("app-" + GruStreamTopology.REPARTITION_TOPIC, NOW, VALUE, headers),
                new Record<>("key", observation, NOW), new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isNull());
    }

    @Test
    void anInternalErrorsDeadLetterKeepsTheInputsTimestampNotTheEventTime() {
        InboundObservation observation = InboundObservation.timed(null, NOW - 30 * 86_400_000L, Map.of("value", 1.0),
                VALUE);
        observation.useRecordTimestamp(NOW);

        ProcessingExceptionHandler.Response response = processing.handleError(context(observation.eventTime()),
                new Record<>("key", observation, observation.eventTime()), new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(letter.timestamp()).isEqualTo(NOW));
    }

    @Test
    void anUndecodableValueLargerThanTheProducerSendsIsCutToFitAndSaysItsSize() {
        byte[] large = new byte[2 << 20];
        ConsumerRecord<byte[], byte[]> huge = recordOf(large);

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), huge,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).hasSize((1 << 20) - DeadLetters.FRAMING_ROOM);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.VALUE_BYTES_HEADER))
                    .isEqualTo(String.valueOf(2 << 20));
        });
    }

    /** The bytes of a record's key, value and headers, which the producer's max.request.size bounds with framing. */
    private static long size(byte[] key, byte[] value, Headers headers) {
        long size = key.length + value.length;
        for (var header : headers) {
            size += header.key().length() + header.value().length;
        }
        return size;
    }

    @Test
    void aLargeKeyIsCutAndSaysItsSizeSoTheDeadLetterFits() {
        byte[] key = new byte[200 << 10];
        byte[] value = new byte[(1 << 20) - (201 << 10)]; // with the key or headers, 1 KiB short of 1 MiB
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(), Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("key too large"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).hasSize(DeadLetters.MAX_KEY_BYTES);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.KEY_BYTES_HEADER)).isEqualTo("204800");
            assertThat(size(letter.key(), letter.value(), letter.headers())).isLessThan(1 << 20);
        });
    }

    @Test
    void largeHeadersTakeRoomFromTheValueSoTheDeadLetterFits() {
        RecordHeaders original = new RecordHeaders();
        original.add("trace", new byte[200 << 10]);
        byte[] value = new byte[(1 << 20) - (201 << 10)]; // with the key or headers, 1 KiB short of 1 MiB
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, KEY.length, value.length, KEY, value, original, Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.headers().lastHeader("trace").value()).hasSize(200 << 10);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.VALUE_BYTES_HEADER))
                    .isEqualTo(String.valueOf(value.length));
            assertThat(size(letter.key(), letter.value(), letter.headers())).isLessThan(1 << 20);
        });
    }

    @Test
    void inputHeadersLargerThanTheProducerSendsAreLeftOutAndTheDeadLetterSaysTheirSize() {
        RecordHeaders original = threeLargeTraceHeaders();
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, KEY.length, VALUE.length, KEY, VALUE, original, Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.headers().lastHeader("trace-0")).isNull();
            assertThat(letter.value()).isEqualTo(VALUE);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("undecodable");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.OFFSET_HEADER)).isEqualTo("42");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADERS_BYTES_HEADER))
                    .isEqualTo(String.valueOf(3 * ("trace-0".length() + (400 << 10) + 10)));
            assertThat(sentSize(letter)).isLessThan(1 << 20);
        });
    }

    @Test
    void manySmallInputHeadersCountTheirFramingSoTheDeadLetterFits() {
        RecordHeaders original = new RecordHeaders();
        for (int i = 0; i < 200_000; i++) {
            original.add("h", new byte[1]);
        }
        byte[] value = new byte[(1 << 20) - (401 << 10)];
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, KEY.length, value.length, KEY, value, original, Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(sentSize(letter)).isLessThan(1 << 20));
    }

    @Test
    void aHundredThousandInputHeadersOfDistinctNamesAreLeftOut() {
        RecordHeaders original = new RecordHeaders();
        for (int i = 0; i < 100_000; i++) {
            original.add(Integer.toString(i, 36), null);
        }
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, KEY.length, VALUE.length, KEY, VALUE, original, Optional.empty());

        DeserializationExceptionHandler.Response response = deserialization.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.headers().toArray()).hasSize(6);
            assertThat(letter.value()).isEqualTo(VALUE);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("undecodable");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADERS_BYTES_HEADER)).isNotNull();
        });
    }

    @Test
    void anInternalErrorsInputHeadersTooLargeToCarryAreLeftOut() {
        RecordHeaders original = threeLargeTraceHeaders();

        ProcessingExceptionHandler.Response response = processing.handleError(context(NOW, VALUE, original),
                record(), new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.headers().lastHeader("trace-0")).isNull();
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON_HEADER)).isEqualTo("internal-error");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.HEADERS_BYTES_HEADER)).isNotNull();
        });
    }

    @Test
    void inputHeadersAreLeftOutWithoutRemovingThemOneByOne() {
        // Removing headers name by name takes time growing with the square of their number: 13.8 s for 100,000
        // names (aHundredThousandInputHeadersOfDistinctNamesAreLeftOut's time when it was done so), beyond the 10 s a
        // transaction may stay open.
        RecordHeaders original = threeLargeTraceHeaders();
        Headers withOwn = DeadLetters.headers(original, DeadLetterReason.UNDECODABLE, "not Avro", "observations", 0,
                42);
        RecordHeaders refusingRemoval = new RecordHeaders(withOwn.toArray()) {
            @Override
            public Headers remove(String key) {
                throw new UnsupportedOperationException("removed " + key);
            }
        };

        DeadLetters.Fitted fitted = DeadLetters.fitted(KEY, VALUE, (1 << 20) - DeadLetters.FRAMING_ROOM,
                refusingRemoval);

        assertThat(fitted.headers().lastHeader("trace-0")).isNull();
    }

    /** Input headers that take more than a whole dead letter may: three of 400 KiB, trace-0 to trace-2. */
    private static RecordHeaders threeLargeTraceHeaders() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 3; i++) {
            headers.add("trace-" + i, new byte[400 << 10]);
        }
        return headers;
    }

    /** The size the producer checks against its max.request.size, by Kafka's own estimate. */
    private static int sentSize(ProducerRecord<byte[], byte[]> letter) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                letter.key(), letter.value(), letter.headers().toArray());
    }

    @Test
    void aProducerAllowedLargerRequestsCarriesTheWholeValue() {
        DeadLetterDeserializationHandler allowing = new DeadLetterDeserializationHandler();
        allowing.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dead-letters",
                "producer.max.request.size", String.valueOf(8 << 20)));
        byte[] large = new byte[2 << 20];
        ConsumerRecord<byte[], byte[]> huge = recordOf(large);

        DeserializationExceptionHandler.Response response = allowing.handleError(context(NOW), huge,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).isSameAs(large);
            assertThat(letter.headers().lastHeader(DeadLetters.VALUE_BYTES_HEADER)).isNull();
        });
    }

    @Test
    void aProducerAllowedSmallerRequestsGetsADeadLetterThatFitsThem() {
        DeadLetterDeserializationHandler small = new DeadLetterDeserializationHandler();
        small.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dead-letters",
                "producer.max.request.size", "100000"));
        RecordHeaders original = new RecordHeaders();
        original.add("trace", new byte[40_000]);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("observations", 0, 42, NOW,
                TimestampType.CREATE_TIME, KEY.length, 70_000, KEY, new byte[70_000], original, Optional.empty());

        DeserializationExceptionHandler.Response response = small.handleError(context(NOW), record,
                new SerializationException("not Avro"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(letter -> assertThat(sentSize(letter)).isLessThan(100_000));
    }

    @Test
    void anInternalErrorsValueLargerThanTheProducerSendsIsCutToFit() {
        ProcessingExceptionHandler.Response response = processing.handleError(context(NOW, new byte[2 << 20]),
                record(), new IllegalArgumentException("a bug"));

        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).hasSize((1 << 20) - DeadLetters.FRAMING_ROOM);
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.VALUE_BYTES_HEADER))
                    .isEqualTo(String.valueOf(2 << 20));
        });
    }

    @Test
    void gruStreamsDeserializationHandlerIsInstalledUnlessTheUserGivesOneUnderEitherKey() {
        Properties defaults = GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of()));
        assertThat(new StreamsConfig(defaults).deserializationExceptionHandler())
                .isInstanceOf(DeadLetterDeserializationHandler.class);

        for (String key : List.of("deserialization.exception.handler", "default.deserialization.exception.handler")) {
            Properties own = GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of(key,
                    LogAndFailExceptionHandler.class.getName())));
            assertThat(new StreamsConfig(own).deserializationExceptionHandler()).as(key)
                    .isInstanceOf(LogAndFailExceptionHandler.class);
        }
    }

    @Test
    void theInternalTopicsTakeWhatARaisedRequestSizeLetsThrough() {
        String topicLimit = StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        assertThat(GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of()))).doesNotContainKey(topicLimit);

        assertThat(GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), "4194304"))))
                .containsEntry(topicLimit, "4194304");
        assertThat(GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304", topicLimit, "8388608"))))
                .containsEntry(topicLimit, "8388608");
    }

    @Test
    void anOutputThatCannotBeSentFailsTheTaskWithoutADeadLetter() {
        ProducerRecord<byte[], byte[]> forecast = new ProducerRecord<>("forecasts", KEY, VALUE);

        ProductionExceptionHandler.Response response = new OutputFailureHandler().handleError(context(NOW), forecast,
                new RecordTooLargeException("too large"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void anOutputThatCannotBeSerializedFailsTheTaskWithoutADeadLetter() {
        ProducerRecord<Object, Object> forecast = new ProducerRecord<>("forecasts", "key", "value");

        ProductionExceptionHandler.Response response = new OutputFailureHandler().handleSerializationError(
                context(NOW), forecast, new SerializationException("refused"),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void anOutputSendThatMaySucceedLaterIsRetried() {
        ProductionExceptionHandler.Response response = new OutputFailureHandler().handleError(context(NOW),
                new ProducerRecord<>("forecasts", KEY, VALUE), new NotLeaderOrFollowerException("moving"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RETRY);
    }

    @Test
    void gruStreamsProductionHandlerIsInstalledUnlessTheUserGivesOneUnderEitherKey() {
        Properties defaults = GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of()));
        assertThat(new StreamsConfig(defaults).productionExceptionHandler()).isInstanceOf(OutputFailureHandler.class);

        for (String key : List.of("production.exception.handler", "default.production.exception.handler")) {
            Properties own = GruStreamTopology.streamsProperties(new GruStreamConfig(Map.of(key,
                    DefaultProductionExceptionHandler.class.getName())));
            assertThat(new StreamsConfig(own).productionExceptionHandler()).as(key)
                    .isInstanceOf(DefaultProductionExceptionHandler.class);
        }
    }

    private static ConsumerRecord<byte[], byte[]> recordOf(byte[] value) {
        return new ConsumerRecord<>("observations", 0, 42, NOW, TimestampType.CREATE_TIME, KEY.length, value.length,
                KEY, value, new RecordHeaders(), Optional.empty());
    }

    private static Record<Object, Object> record() {
        return new Record<>("key", "value", NOW);
    }

    private static ErrorHandlerContext context(long timestamp) {
        return context(timestamp, VALUE);
    }

    private static ErrorHandlerContext context(long timestamp, byte[] rawValue) {
        return context(timestamp, rawValue, new RecordHeaders());
    }

    private static ErrorHandlerContext context(long timestamp, byte[] rawValue, Headers headers) {
        return context("observations", timestamp, rawValue, headers);
    }

    private static ErrorHandlerContext context(String topic, long timestamp, byte[] rawValue, Headers headers) {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return topic;
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 42;
            }

            @Override
            public Headers headers() {
                return headers;
            }

            @Override
            public String processorNodeId() {
                return GruStreamTopology.PROCESSOR;
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return timestamp;
            }

            @Override
            public byte[] sourceRawKey() {
                return KEY;
            }

            @Override
            public byte[] sourceRawValue() {
                return rawValue;
            }
        };
    }
}
