package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.avro.Observation;
import dev.grustream.config.OperatorException;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.testing.TopologyHarness;
import dev.grustream.topology.Topics;
import dev.grustream.train.TrainingSeries;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObservationHistoryTest {
    private static final String TOPIC = "observations";
    private static final TopicPartition READ = new TopicPartition(TOPIC, 0);
    private static final TopicPartition OFFLINE = new TopicPartition(TOPIC, 1);

    private final GruStreamConfig config = new GruStreamConfig(Map.of(GruStreamConfig.INPUT_FORMAT, "json"));
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    ObservationHistoryTest() {
        twoPartitions(consumer, 0, 3);
    }

    /** Gives {@code consumer} the topic's two partitions, from offset 0 to these ends. */
    private static void twoPartitions(MockConsumer<byte[], byte[]> consumer, long readEnd, long offlineEnd) {
        Node broker = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(
                new PartitionInfo(TOPIC, 0, broker, new Node[] {broker}, new Node[] {broker}),
                new PartitionInfo(TOPIC, 1, broker, new Node[] {broker}, new Node[] {broker})));
        consumer.updateBeginningOffsets(Map.of(READ, 0L, OFFLINE, 0L));
        consumer.updateEndOffsets(Map.of(READ, readEnd, OFFLINE, offlineEnd));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the limit it polls for ever
    void aReadDuringWhichNoPartitionMovesFailsNamingThePartitionsLeft() {
        assertThatThrownBy(() -> ObservationHistory.read(config, TOPIC, List.of("value"), Optional.empty(), consumer,
                Duration.ofMillis(200), "localhost:9092"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("no progress for 200 ms")
                .hasMessageContaining("partition 1 at offset 0 of 3");
    }

    @Test
    void aClientTimeoutFailsAsAnOperatorError() {
        consumer.setPollException(new TimeoutException("Timeout of 60000ms expired before the position was found"));

        assertThatThrownBy(() -> ObservationHistory.read(config, TOPIC, List.of("value"), Optional.empty(), consumer,
                Duration.ofMinutes(1), "localhost:9092"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("Reading the topic observations from localhost:9092 timed out");
    }

    @Test
    void recordKeysThatAreNotUtf8AreSkippedAsTheServiceDeadLettersThem() {
        consumer.updateEndOffsets(Map.of(READ, 3L, OFFLINE, 0L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(0, new byte[] {'a', (byte) 0xFE}));
            consumer.addRecord(record(1, new byte[] {'a', (byte) 0xFF}));
            consumer.addRecord(record(2, "b".getBytes(StandardCharsets.UTF_8)));
        });

        ObservationHistory.Read read = ObservationHistory.read(config, TOPIC, List.of("value"), Optional.empty(),
                consumer, Duration.ofMinutes(1), "localhost:9092");

        assertThat(read.records()).isEqualTo(3);
        assertThat(read.skipped()).containsExactly(Map.entry("undecodable", 2L));
        assertThat(read.series()).extracting(TrainingSeries::key).containsExactly("b");
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] key) {
        return record(offset, key, "{\"value\": 3}".getBytes(StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, offset, 1_700_000_000_000L, TimestampType.CREATE_TIME, key.length,
                value.length, key, value, new RecordHeaders(), Optional.empty());
    }

    /** A JSON observation of "a" with the record's time {@code minute} minutes into the test's hour. */
    private static ConsumerRecord<byte[], byte[]> minuteOfA(TopicPartition partition, long offset, long minute) {
        byte[] key = "a".getBytes(StandardCharsets.UTF_8);
        byte[] value = "{\"value\": 3}".getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(TOPIC, partition.partition(), offset, 1_700_000_000_000L + minute * 60_000,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }

    /** Reads observations of "a" at these minutes from each of the two partitions, written in this order. */
    private ObservationHistory.Read readMinutesOfA(long[] first, long[] second) {
        consumer.updateEndOffsets(Map.of(READ, (long) first.length, OFFLINE, (long) second.length));
        consumer.schedulePollTask(() -> {
            for (int offset = 0; offset < first.length; offset++) {
                consumer.addRecord(minuteOfA(READ, offset, first[offset]));
            }
            for (int offset = 0; offset < second.length; offset++) {
                consumer.addRecord(minuteOfA(OFFLINE, offset, second[offset]));
            }
        });
        return ObservationHistory.read(config, TOPIC, List.of("value"), Optional.empty(), consumer,
                Duration.ofMinutes(1), "localhost:9092");
    }

    @Test
    void aSeriesInTwoPartitionsIsJudgedPerPartitionAndMergedByTime() {
        ObservationHistory.Read read = readMinutesOfA(new long[] {2, 4}, new long[] {1, 3});

        assertThat(read.skipped()).isEmpty();
        assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(4));
    }

    @Test
    void sinceATimeEachPartitionIsReadFromItsFirstRecordStampedWithinAndLaterOnesStampedBeforeAreLeftOut() {
        // The brokers' time index, as it answers for these records: partition 0 has none stamped at or after minute
        // 50, partition 1's first is at offset 1.
        MockConsumer<byte[], byte[]> indexed = new MockConsumer<>("earliest") {
            @Override
            public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
                    Map<TopicPartition, Long> times) {
                Map<TopicPartition, OffsetAndTimestamp> firsts = new HashMap<>();
                firsts.put(READ, null);
                firsts.put(OFFLINE, new OffsetAndTimestamp(1, minuteOfA(OFFLINE, 1, 100).timestamp()));
                return firsts;
            }
        };
        twoPartitions(indexed, 2, 4);
        long[] old = {1, 2};
        long[] recent = {1, 100, 2, 101};
        indexed.schedulePollTask(() -> {
            for (int offset = 0; offset < old.length; offset++) {
                indexed.addRecord(minuteOfA(READ, offset, old[offset]));
            }
            for (int offset = 0; offset < recent.length; offset++) {
                indexed.addRecord(minuteOfA(OFFLINE, offset, recent[offset]));
            }
        });
        Instant from = Instant.ofEpochMilli(minuteOfA(READ, 0, 50).timestamp());

        ObservationHistory.Read read = ObservationHistory.read(config, TOPIC, List.of("value"), Optional.of(from),
                indexed, Duration.ofMinutes(1), "localhost:9092");

        assertThat(read.records()).isEqualTo(2);
        assertThat(read.stampedBefore()).isEqualTo(1);
        assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(2));
    }

    @Test
    void aTimeASeriesHasInTwoPartitionsIsKeptOnceAndCountedAsADuplicate() {
        ObservationHistory.Read read = readMinutesOfA(new long[] {1}, new long[] {1});

        assertThat(read.skipped()).containsExactly(Map.entry("duplicate", 1L));
        assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(1));
    }

    @Test
    void aRecordOfAnUnknownSchemaIdIsSkippedUnderThatReason() {
        String scope = "observation-history-" + UUID.randomUUID();
        GruStreamConfig avro = new GruStreamConfig(Map.of("schema.registry.url", "mock://" + scope));
        consumer.updateEndOffsets(Map.of(READ, 1L, OFFLINE, 0L));
        // Confluent's framing: magic byte 0, then schema id 99, which the registry never gave out.
        consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, 0, 0, 0, 99, 2})));
        try {
            ObservationHistory.Read read = ObservationHistory.read(avro, TOPIC, List.of("value"), Optional.empty(),
                    consumer, Duration.ofMinutes(1), "localhost:9092");

            assertThat(read.skipped()).containsExactly(Map.entry("unknown-schema-id", 1L));
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void anObservationAheadOfItsRecordsTimeIsSkippedAsTheServiceRefusedItThen() {
        String scope = "observation-history-" + UUID.randomUUID();
        GruStreamConfig avro = new GruStreamConfig(Map.of("schema.registry.url", "mock://" + scope));
        try (Serializer<Observation> serializer = Topics.from(avro).observationSerde().serializer()) {
            // Every record was written at 1_700_000_000_000 (record()); the second one's clock ran three days ahead.
            long t = 1_700_000_000_000L;
            long[] eventTimes = {t - 120_000, t + 3 * 86_400_000L, t - 60_000};
            byte[] key = "a".getBytes(StandardCharsets.UTF_8);
            consumer.updateEndOffsets(Map.of(READ, 3L, OFFLINE, 0L));
            consumer.schedulePollTask(() -> {
                for (int offset = 0; offset < eventTimes.length; offset++) {
                    consumer.addRecord(record(offset, key, serializer.serialize(TOPIC,
                            TopologyHarness.observation(eventTimes[offset], Map.of("value", 1.0)))));
                }
            });

            ObservationHistory.Read read = ObservationHistory.read(avro, TOPIC, List.of("value"), Optional.empty(),
                    consumer, Duration.ofMinutes(1), "localhost:9092");

            assertThat(read.skipped()).containsExactly(Map.entry("future", 1L));
            assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(2));
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @ParameterizedTest(name = "late.grace.ms {0}")
    @CsvSource({"0, 1, 2", "60000, 0, 3"})
    void anObservationOlderThanItsKeysLatestBeyondTheGraceIsSkippedAsLate(long graceMs, long late, int rows) {
        String scope = "observation-history-" + UUID.randomUUID();
        GruStreamConfig avro = new GruStreamConfig(Map.of("schema.registry.url", "mock://" + scope,
                "late.grace.ms", Long.toString(graceMs)));
        try (Serializer<Observation> serializer = Topics.from(avro).observationSerde().serializer()) {
            long t = 1_700_000_000_000L;
            byte[] key = "a".getBytes(StandardCharsets.UTF_8);
            consumer.updateEndOffsets(Map.of(READ, 3L, OFFLINE, 0L));
            long[] minutes = {2, 1, 3};
            consumer.schedulePollTask(() -> {
                for (int offset = 0; offset < minutes.length; offset++) {
                    consumer.addRecord(record(offset, key, serializer.serialize(TOPIC,
                            TopologyHarness.observation(t + minutes[offset] * 60_000, Map.of("value", 1.0)))));
                }
            });

            ObservationHistory.Read read = ObservationHistory.read(avro, TOPIC, List.of("value"), Optional.empty(),
                    consumer, Duration.ofMinutes(1), "localhost:9092");

            assertThat(read.skipped().getOrDefault("late", 0L)).isEqualTo(late);
            assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(rows));
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void observationsTheServiceRefusesForTheirFeaturesAreSkipped() {
        String scope = "observation-history-" + UUID.randomUUID();
        GruStreamConfig avro = new GruStreamConfig(Map.of("schema.registry.url", "mock://" + scope));
        try (Serializer<Observation> serializer = Topics.from(avro).observationSerde().serializer()) {
            long t = 1_700_000_000_000L;
            byte[] key = "a".getBytes(StandardCharsets.UTF_8);
            consumer.updateEndOffsets(Map.of(READ, 3L, OFFLINE, 0L));
            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(0, key, serializer.serialize(TOPIC,
                        TopologyHarness.observation(t, Map.of("value", 1.0, "temp", 2.0)))));
                consumer.addRecord(record(1, key, serializer.serialize(TOPIC,
                        TopologyHarness.observation(t + 60_000, Map.of("value", 1e200)))));
                consumer.addRecord(record(2, key, serializer.serialize(TOPIC,
                        TopologyHarness.observation(t + 120_000, Map.of("value", 3.0)))));
            });

            ObservationHistory.Read read = ObservationHistory.read(avro, TOPIC, List.of("value"), Optional.empty(),
                    consumer, Duration.ofMinutes(1), "localhost:9092");

            assertThat(read.skipped()).containsOnly(Map.entry("unknown-feature", 1L), Map.entry("out-of-range", 1L));
            assertThat(read.series()).singleElement().satisfies(series -> assertThat(series.rows()).isEqualTo(1));
        } finally {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    @Test
    void serversThatDoNotResolveFailAsAnOperatorError() {
        GruStreamConfig unresolvable = new GruStreamConfig(Map.of(GruStreamConfig.INPUT_FORMAT, "json",
                "bootstrap.servers", "no-such-broker.invalid:9092"));

        assertThatThrownBy(() -> ObservationHistory.read(unresolvable, TOPIC, List.of("value"), Optional.empty()))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("Could not read the topic observations from no-such-broker.invalid:9092");
    }

    /** A deserializer of another library that reports a registry it cannot reach as a serialization error. */
    public static final class UnreachableRegistryDeserializer implements Deserializer<Object> {
        @Override
        public Object deserialize(String topic, byte[] data) {
            throw new SerializationException("Error retrieving Avro schema",
                    new ConnectException("Connection refused"));
        }
    }

    @Test
    void aRegistryThatCannotBeReachedThroughAnotherLibrarysDeserializerFailsTheRead() {
        GruStreamConfig generic = new GruStreamConfig(Map.of(GruStreamConfig.INPUT_FORMAT, "avro-generic",
                GruStreamConfig.INPUT_VALUE_DESERIALIZER, UnreachableRegistryDeserializer.class.getName(),
                "schema.registry.url", "http://localhost:1"));
        consumer.updateEndOffsets(Map.of(READ, 1L, OFFLINE, 0L));
        consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a".getBytes(StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> ObservationHistory.read(generic, TOPIC, List.of("value"), Optional.empty(),
                consumer, Duration.ofMinutes(1), "localhost:9092"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("needs the schema registry");
    }

    @Test
    void aTopicWhoseRowsWouldTakeMoreThanHalfTheHeapIsRefusedBeforeItIsRead() {
        assertThatThrownBy(() -> ObservationHistory.refuseBeyondHeap("observations", 10_000_000, 1, 1L << 30))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("10000000 records of observations")
                .hasMessageContaining("--since").hasMessageContaining("-Xmx");
    }

    @Test
    void aTopicTooLargeForTheHeapIsRefusedBeforeARecordIsRead() {
        consumer.updateEndOffsets(Map.of(READ, Runtime.getRuntime().maxMemory(), OFFLINE, 3L));

        assertThatThrownBy(() -> ObservationHistory.read(config, TOPIC, List.of("value"), Optional.empty(), consumer,
                Duration.ofMinutes(1), "localhost:9092"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("more than three quarters of the");
    }
}
