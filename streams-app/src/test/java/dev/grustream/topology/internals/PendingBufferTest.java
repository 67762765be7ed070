package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.PendingObservation;
import dev.grustream.avro.SourceHeader;
import dev.grustream.avro.history.SchemaHistory;
import dev.grustream.avro.history.VersionedRecordCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The buffer's store stands for what the changelog restores after a crash: a new buffer over it recovers. */
class PendingBufferTest {
    private KeyValueStore<Integer, byte[]> store;

    @BeforeEach
    void createStore() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pending"), Serdes.Integer(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static PendingObservation.Builder observation(String key, long time) {
        return PendingObservation.newBuilder()
                .setSequence(0)
                .setKey(key)
                .setEventTime(Instant.ofEpochMilli(time))
                .setFeatures(Map.of("value", (double) time))
                .setRawValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setRecordTimestamp(time)
                .setSourceTopic("observations")
                .setSourcePartition(0)
                .setSourceOffset(time);
    }

    @Test
    void writesTheBytesAvroWritesForAnObservation() {
        Map<String, Double> features = new LinkedHashMap<>();
        features.put("cpu", 0.25);
        features.put("m\u00e9moire", -1e300);
        PendingObservation observation = observation("host/\u00e9", 1_700_000_000_123L)
                .setSequence(Long.MAX_VALUE)
                .setFeatures(features)
                .setRawValue(ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4}, 1, 3))
                .setSourcePartition(-1)
                .setStreamTime(1_700_000_600_000L)
                .setHeaders(List.of(new SourceHeader("trace-\u00e9", ByteBuffer.wrap(new byte[] {7, 8})),
                        new SourceHeader("no-value", null)))
                .setRecordKey(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0, 'k'}))
                .build();

        assertThat(PendingBuffer.encode(observation))
                .isEqualTo(VersionedRecordCodec.forClass(PendingObservation.class).encode(observation));
    }

    @Test
    void writesTheBytesAvroWritesForAnObservationWithoutFeaturesOrRawValue() {
        PendingObservation observation = observation("k", 0).setFeatures(Map.of())
                .setRawValue(ByteBuffer.allocate(0)).build();

        assertThat(PendingBuffer.encode(observation))
                .isEqualTo(VersionedRecordCodec.forClass(PendingObservation.class).encode(observation));
    }

    @Test
    void observationsBufferedByVersionOneAreRecoveredWithoutHeadersOrStreamTime() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(1);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        // The generated record's fields of version 1 keep their positions: version 2's were appended.
        new SpecificDatumWriter<PendingObservation>(SchemaHistory.version("PendingObservation", 1))
                .write(observation("k", 1_000).build(), encoder);
        encoder.flush();
        store.put(0, bytes.toByteArray());
        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isEqualTo(1);
        PendingObservation recovered = buffer.events().get(0);
        assertThat(recovered.getKey()).isEqualTo("k");
        assertThat(recovered.getSourceOffset()).isEqualTo(1_000);
        assertThat(recovered.getHeaders()).isEmpty();
        assertThat(recovered.getStreamTime()).isZero();
        assertThat(recovered.getRecordKey()).isNull();
    }

    @Test
    void aRecordKeyBufferedByVersionTwoIsRecoveredAsTheBytesThatVersionDeadLettered() throws IOException {
        Schema versionTwo = SchemaHistory.version("PendingObservation", 2);
        GenericRecord written = new GenericData.Record(versionTwo);
        PendingObservation fields = observation("k", 1_000).build();
        for (Schema.Field field : versionTwo.getFields()) {
            written.put(field.name(), fields.get(field.name()));
        }
        written.put("record_key", "device-\u00e9");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(2);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        GenericData withTimes = new GenericData();
        withTimes.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        new GenericDatumWriter<GenericRecord>(versionTwo, withTimes).write(written, encoder);
        encoder.flush();
        store.put(0, bytes.toByteArray());
        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isEqualTo(1);
        assertThat(buffer.events().get(0).getRecordKey())
                .isEqualTo(ByteBuffer.wrap("device-\u00e9".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anEmptyStoreRecoversNothing() {
        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isZero();
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void observationsAddedButNotProcessedAreRecoveredInArrivalOrder() {
        PendingBuffer before = new PendingBuffer(store, 4);
        before.recover();
        before.add(observation("b", 1));
        before.add(observation("a", 2));
        before.add(observation("b", 3));

        PendingBuffer after = new PendingBuffer(store, 4);

        assertThat(after.recover()).isEqualTo(3);
        assertThat(after.events()).extracting(PendingObservation::getSourceOffset).containsExactly(1L, 2L, 3L);
        assertThat(after.keys()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void processedObservationsAreNotRecovered() {
        PendingBuffer before = new PendingBuffer(store, 4);
        before.recover();
        before.add(observation("a", 1));
        before.add(observation("a", 2));
        before.markProcessed();
        before.add(observation("a", 3));

        PendingBuffer after = new PendingBuffer(store, 4);

        assertThat(after.recover()).isEqualTo(1);
        assertThat(after.events().get(0).getSourceOffset()).isEqualTo(3L);
    }

    @Test
    void aDamagedWatermarkRecoversEveryStoredObservationInsteadOfFailingTheTask() {
        PendingBuffer before = new PendingBuffer(store, 4);
        before.recover();
        before.add(observation("a", 1));
        before.add(observation("a", 2));
        store.put(PendingBuffer.WATERMARK_SLOT, new byte[] {0, 0, 1});

        PendingBuffer after = new PendingBuffer(store, 4);

        assertThat(after.recover()).isEqualTo(2);
        assertThat(after.events()).extracting(PendingObservation::getSourceOffset).containsExactly(1L, 2L);
    }

    @Test
    void aSlotClaimingMoreItemsThanAvroReadsIsUnreadableInsteadOfFailingTheTask() {
        VersionedRecordCodec<PendingObservation> codec = VersionedRecordCodec.forClass(PendingObservation.class);
        // The current version, sequence 0, key "a", event time 0, then a features map of 2^31 items.
        byte[] slot = {(byte) codec.currentVersion(), 0, 2, 'a', 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            0x10, 0, 0, 0};
        store.put(0, slot);

        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isZero();
        assertThat(buffer.unreadable()).extracting(PendingBuffer.UnreadableSlot::slot).containsExactly(0);
    }

    @Test
    void aSlotWithASequenceNearTheEndOfALongIsUnreadable() {
        store.put(1, VersionedRecordCodec.forClass(PendingObservation.class)
                .encode(observation("a", 1).setSequence(Long.MAX_VALUE - 1).build()));

        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isZero();
        assertThat(buffer.unreadable()).extracting(PendingBuffer.UnreadableSlot::reason)
                .containsExactly("sequence 9223372036854775806 out of range");
    }

    @Test
    void aSlotWithBytesLeftAfterItsObservationOrANegativeSequenceIsUnreadable() {
        byte[] observation = VersionedRecordCodec.forClass(PendingObservation.class)
                .encode(observation("a", 1).build());
        store.put(0, java.util.Arrays.copyOf(observation, observation.length + 1));
        store.put(1, VersionedRecordCodec.forClass(PendingObservation.class)
                .encode(observation("a", 2).setSequence(-5).build()));

        PendingBuffer buffer = new PendingBuffer(store, 4);

        assertThat(buffer.recover()).isZero();
        assertThat(buffer.unreadable()).extracting(PendingBuffer.UnreadableSlot::slot).containsExactly(0, 1);
    }

    @Test
    void aWatermarkOutOfRangeRecoversEveryStoredObservation() {
        PendingBuffer before = new PendingBuffer(store, 4);
        before.recover();
        before.add(observation("a", 1));
        store.put(PendingBuffer.WATERMARK_SLOT, ByteBuffer.allocate(Long.BYTES).putLong(Long.MAX_VALUE).array());

        PendingBuffer after = new PendingBuffer(store, 4);

        assertThat(after.recover()).isEqualTo(1);
        after.add(observation("a", 2));
        assertThat(after.events()).extracting(PendingObservation::getSequence).containsExactly(0L, 1L);
    }

    @Test
    void sequencesContinueAfterARecovery() {
        PendingBuffer before = new PendingBuffer(store, 4);
        before.recover();
        before.add(observation("a", 1));
        before.markProcessed();

        PendingBuffer after = new PendingBuffer(store, 4);
        after.recover();
        after.add(observation("a", 2));

        assertThat(after.events().get(0).getSequence()).isEqualTo(1L);
    }

    @Test
    void theRingReusesItsSlots() {
        PendingBuffer buffer = new PendingBuffer(store, 4);
        buffer.recover();
        for (int i = 0; i < 39; i++) {
            buffer.add(observation("k", i));
            if (buffer.isFull()) {
                buffer.markProcessed();
            }
        }

        assertThat(store.approximateNumEntries()).isEqualTo(4); // three pending and the watermark
    }

    @Test
    void processedObservationsLeaveOnlyTheWatermarkInTheStore() {
        PendingBuffer buffer = new PendingBuffer(store, 4);
        buffer.recover();
        buffer.add(observation("a", 1));
        buffer.add(observation("a", 2));
        buffer.markProcessed();

        assertThat(store.approximateNumEntries()).isEqualTo(1);
        assertThat(store.get(PendingBuffer.WATERMARK_SLOT)).isNotNull();
    }

    @Test
    void observationsRecoveredFromAnotherCapacitysSlotsAreDeletedWhereTheyLie() {
        PendingBuffer before = new PendingBuffer(store, 8);
        before.recover();
        for (int i = 0; i < 6; i++) {
            before.add(observation("k", i)); // slots 0 to 5
        }

        PendingBuffer after = new PendingBuffer(store, 4);
        after.recover();
        after.markProcessed();

        assertThat(store.approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void aLoweredCapacityStillRecoversEverything() {
        PendingBuffer before = new PendingBuffer(store, 8);
        before.recover();
        for (int i = 0; i < 6; i++) {
            before.add(observation("k", i));
        }

        PendingBuffer after = new PendingBuffer(store, 4);

        assertThat(after.recover()).isEqualTo(6);
        assertThat(after.isFull()).isTrue();
    }

    @Test
    void aRestartWithAnotherCapacityLosesNoObservation() {
        PendingBuffer before = new PendingBuffer(store, 8);
        before.recover();
        for (int i = 0; i < 8; i++) {
            before.add(observation("k", i));
        }
        before.markProcessed();
        for (int i = 8; i < 11; i++) {
            before.add(observation("k", i)); // pending in slots 0 to 2
        }

        // Restarted with a capacity of 6, processing whenever the buffer says it is full, as the processor does.
        PendingBuffer after = new PendingBuffer(store, 6);
        after.recover();
        List<Long> processed = new ArrayList<>();
        for (int i = 11; i < 13; i++) {
            if (after.isFull()) {
                after.events().forEach(event -> processed.add(event.getSequence()));
                after.markProcessed();
            }
            after.add(observation("k", i));
        }
        PendingBuffer again = new PendingBuffer(store, 6);
        again.recover();
        again.events().forEach(event -> processed.add(event.getSequence()));

        assertThat(processed).containsExactly(8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void observationsRecoveredInTheirOwnSlotsLeaveRoomForMore() {
        PendingBuffer before = new PendingBuffer(store, 8);
        before.recover();
        for (int i = 0; i < 3; i++) {
            before.add(observation("k", i));
        }

        PendingBuffer after = new PendingBuffer(store, 8);

        assertThat(after.recover()).isEqualTo(3);
        assertThat(after.isFull()).isFalse();
    }

    @Test
    void processedSlotsOutsideALoweredRingThatAnEarlierReleaseKeptAreDeletedOnceNothingIsPending() {
        PendingBuffer before = new PendingBuffer(store, 8);
        before.recover();
        for (int i = 0; i < 6; i++) {
            before.add(observation("k", i));
        }
        before.markProcessed();
        // Releases before 2026-12-07 kept a processed observation in its slot until the slot was reused.
        for (int i : new int[] {3, 5}) {
            store.put(i, PendingBuffer.encode(observation("k", i).setSequence((long) i).build()));
        }

        new PendingBuffer(store, 4).recover();

        assertThat(store.get(5)).isNull();
        assertThat(store.get(3)).isNotNull();
    }
}
