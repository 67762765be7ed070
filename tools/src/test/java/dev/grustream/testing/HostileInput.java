package dev.grustream.testing;

import dev.grustream.avro.Observation;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.serde.SpecificAvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A deterministic stream of valid observations mixed one to one with hostile records, each hostile record labelled
 * with the dead-letter reason the service must give it.
 *
 * <p>The valid part is {@code keys} series of {@code steps} observations a minute apart, plus one series two hours
 * ahead of the clock: still within {@code future.tolerance.ms} (a day), but beyond what a broker accepts as a record
 * timestamp by default (an hour), so its forecasts must not carry its event times as theirs. After each valid record
 * comes one hostile record of a kind drawn at random. Kinds that can only be judged against a key's state (time
 * going backwards, a repeated time, a bad feature value) use the key of the valid record just before them, with a
 * time that makes the intended check the first one to fail, so that none of them can be mistaken for a valid
 * observation or change a state. Everything is built from a seed: the same arguments give the same bytes.
 *
 * <p>Immutable once built; not thread-safe while building.
 */
public final class HostileInput {
    /** The key of the series whose event times are two hours ahead of the clock. */
    public static final String AHEAD_OF_THE_CLOCK = "ahead-of-the-clock";

    private static final long MINUTE = 60_000;
    private static final long HALF_MINUTE = 30_000;
    private static final long TWO_HOURS = 7_200_000;
    /** An id far above any the in-process registry hands out. */
    private static final int UNREGISTERED_ID_BASE = 900_000;
    private static final Schema INTRUDER = SchemaBuilder.record("Intruder").namespace("dev.grustream.test")
            .fields().requiredString("name").requiredInt("size").endRecord();

    /** What a hostile record is, and the {@code gru.dead-letter.reason} it must be dead-lettered with. */
    public enum Kind {
        RANDOM_BYTES("undecodable", 10),
        EMPTY_VALUE("undecodable", 2),
        TRUNCATED_AVRO("undecodable", 10),
        UNKNOWN_SCHEMA_ID("unknown-schema-id", 8),
        FOREIGN_SCHEMA("schema-mismatch", 8),
        HUGE_KEY("key-too-large", 4),
        // Few: each is 70 KB, and a few hundred prove the point as well as thousands.
        HUGE_VALUE("value-too-large", 1),
        NOT_A_NUMBER("not-finite", 6),
        INFINITE("not-finite", 4),
        MISSING_FEATURE("missing-feature", 6),
        UNKNOWN_FEATURE("unknown-feature", 6),
        OUT_OF_RANGE("out-of-range", 6),
        BACKWARDS_IN_TIME("late", 8),
        REPEATED_TIME("duplicate", 6),
        FAR_FUTURE("future", 6),
        NEGATIVE_TIME("invalid-time", 4),
        NULL_KEY("null-key", 4),
        NULL_KEY_AND_VALUE("null-key", 2),
        NULL_VALUE("null-value", 4);

        private final String reason;
        private final int weight;

        Kind(String reason, int weight) {
            this.reason = reason;
            this.weight = weight;
        }

        /** The dead-letter reason code the service must give this kind of record. */
        public String reason() {
            return reason;
        }
    }

    /**
     * One record to produce: its key and value bytes (either may be null), and either the valid observation it
     * carries or the kind of hostile record it is.
     */
    public record Entry(byte[] key, byte[] value, Observation valid, Kind kind) {
        public boolean isValid() {
            return valid != null;
        }

        /** The key as the service reads it, for valid records. */
        public String keyString() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    private final List<Entry> entries;

    private HostileInput(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Builds the stream.
     *
     * @param topic the topic the values are serialized for (the registry subject follows from it)
     * @param registryUrl the registry the values are serialized against
     * @param t0 event time of every key's first observation
     * @param now the wall clock of the run, from which "far future" is measured
     */
    public static HostileInput build(String topic, String registryUrl, int keys, int steps, long t0, long now,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> registry = Map.of("schema.registry.url", registryUrl);
        SpecificAvroSerde<Observation> observations = new SpecificAvroSerde<>(Observation.class);
        observations.configure(registry, false);
        GenericAvroSerde generic = new GenericAvroSerde();
        generic.configure(registry, false);
        Builder builder = new Builder(topic, random, observations, generic, now);
        for (int step = 0; step < steps; step++) {
            for (int k = 0; k < keys; k++) {
                String key = "series-" + k;
                long time = t0 + step * MINUTE;
                builder.valid(key, time, value(k, step));
                builder.hostile(key, time);
            }
            long ahead = now + TWO_HOURS + step * MINUTE;
            builder.valid(AHEAD_OF_THE_CLOCK, ahead, value(keys, step));
            builder.hostile(AHEAD_OF_THE_CLOCK, ahead);
        }
        observations.close();
        generic.close();
        return new HostileInput(builder.entries);
    }

    /**
     * The value of key {@code k} at step {@code step}: a smooth, key-dependent series, with a spike at step 80 of every
     * fiftieth key, so that there are alerts to compare.
     */
    static double value(int k, int step) {
        return 5 + (k % 11) + 2 * Math.sin((step + 3 * k) / 7.0) + 0.3 * Math.cos(step * 1.9 + k)
                + (k % 50 == 0 && step == 80 ? 20 : 0);
    }

    /** Counts of hostile records by the dead-letter reason they must get. */
    public Map<Kind, Integer> countsByKind() {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        entries.stream().filter(e -> !e.isValid()).forEach(e -> counts.merge(e.kind(), 1, Integer::sum));
        return counts;
    }

    private static final class Builder {
        private final String topic;
        private final SplittableRandom random;
        private final SpecificAvroSerde<Observation> observations;
        private final GenericAvroSerde generic;
        private final long now;
        private final List<Entry> entries = new ArrayList<>();
        private final Kind[] kinds;
        private final int totalWeight;

        Builder(String topic, SplittableRandom random, SpecificAvroSerde<Observation> observations,
                GenericAvroSerde generic, long now) {
            this.topic = topic;
            this.random = random;
            this.observations = observations;
            this.generic = generic;
            this.now = now;
            this.kinds = Kind.values();
            this.totalWeight = Arrays.stream(kinds).mapToInt(kind -> kind.weight).sum();
        }

        void valid(String key, long time, double value) {
            Observation observation = observation(time, Map.of("value", value));
            entries.add(new Entry(utf8(key), serialize(observation), observation, null));
        }

        /** Adds one hostile record; {@code key} has just received a valid observation at {@code time}. */
        void hostile(String key, long time) {
            Kind kind = draw();
            byte[] seriesKey = utf8(key);
            byte[] anyKey = random.nextBoolean() ? seriesKey : utf8("junk-" + random.nextInt(1000));
            double value = 1 + random.nextDouble();
            long later = time + HALF_MINUTE;
            entries.add(switch (kind) {
                case RANDOM_BYTES -> entry(anyKey, randomBytes(), kind);
                case EMPTY_VALUE -> entry(anyKey, new byte[0], kind);
                case TRUNCATED_AVRO -> entry(anyKey, truncated(serialize(observation(later, Map.of("value", value)))),
                        kind);
                case UNKNOWN_SCHEMA_ID -> entry(anyKey, withSchemaId(UNREGISTERED_ID_BASE + random.nextInt(10_000),
                        serialize(observation(later, Map.of("value", value)))), kind);
                case FOREIGN_SCHEMA -> entry(anyKey, intruder(), kind);
                case HUGE_KEY -> entry(utf8("k".repeat(2_000 + random.nextInt(2_000))),
                        serialize(observation(later, Map.of("value", value))), kind);
                case HUGE_VALUE -> entry(seriesKey, serialize(Observation.newBuilder()
                        .setEventTime(Instant.ofEpochMilli(later))
                        .setFeatures(Map.of("value", value))
                        .setSource(Map.of("padding", "p".repeat(70_000)))
                        .build()), kind);
                case NOT_A_NUMBER -> entry(seriesKey, serialize(observation(later, Map.of("value", Double.NaN))),
                        kind);
                case INFINITE -> entry(seriesKey, serialize(observation(later, Map.of("value",
                        random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY))), kind);
                case MISSING_FEATURE -> entry(seriesKey, serialize(observation(later, random.nextBoolean()
                        ? Map.of() : Map.of("temperature", value))), kind);
                case UNKNOWN_FEATURE -> entry(seriesKey, serialize(observation(later, Map.of("value", value,
                        "temperature", value))), kind);
                case OUT_OF_RANGE -> entry(seriesKey, serialize(observation(later, Map.of("value",
                        (random.nextBoolean() ? 1 : -1) * 1e12))), kind);
                case BACKWARDS_IN_TIME -> entry(seriesKey, serialize(observation(time - 1 - random.nextInt(600_000),
                        Map.of("value", value))), kind);
                case REPEATED_TIME -> entry(seriesKey, serialize(observation(time, Map.of("value", value))), kind);
                case FAR_FUTURE -> entry(seriesKey, serialize(observation(now + 3_650L * 86_400_000L
                        + random.nextInt(1_000_000), Map.of("value", value))), kind);
                case NEGATIVE_TIME -> entry(seriesKey, serialize(observation(-1 - random.nextInt(1_000_000),
                        Map.of("value", value))), kind);
                case NULL_KEY -> entry(null, serialize(observation(later, Map.of("value", value))), kind);
                case NULL_KEY_AND_VALUE -> entry(null, null, kind);
                case NULL_VALUE -> entry(seriesKey, null, kind);
            });
        }

        private Kind draw() {
            int ticket = random.nextInt(totalWeight);
            for (Kind kind : kinds) {
                ticket -= kind.weight;
                if (ticket < 0) {
                    return kind;
                }
            }
            throw new AssertionError("unreachable: weights sum to " + totalWeight);
        }

        private static Entry entry(byte[] key, byte[] value, Kind kind) {
            return new Entry(key, value, null, kind);
        }

        private byte[] serialize(Observation observation) {
            return observations.serializer().serialize(topic, observation);
        }

        /** Random bytes that are not in the wire format: the first byte is never the magic byte 0. */
        private byte[] randomBytes() {
            byte[] bytes = new byte[1 + random.nextInt(200)];
            random.nextBytes(bytes);
            bytes[0] = (byte) (1 + random.nextInt(255));
            return bytes;
        }

        /** A strict prefix of a valid record: an Avro record of this schema never decodes from a prefix. */
        private byte[] truncated(byte[] valid) {
            return Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
        }

        private static byte[] withSchemaId(int id, byte[] valid) {
            byte[] bytes = valid.clone();
            ByteBuffer.wrap(bytes).put((byte) 0).putInt(id);
            return bytes;
        }

        /** A record of an unrelated schema, registered under another subject: readable, but not an Observation. */
        private byte[] intruder() {
            GenericRecord record = new GenericData.Record(INTRUDER);
            record.put("name", "intruder-" + random.nextInt(100));
            record.put("size", random.nextInt());
            return generic.serializer().serialize(topic + "-intruders", record);
        }

        private static Observation observation(long eventTime, Map<String, Double> features) {
            return Observation.newBuilder()
                    .setEventTime(Instant.ofEpochMilli(eventTime))
                    .setFeatures(features)
                    .build();
        }

        private static byte[] utf8(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}
