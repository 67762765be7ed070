package dev.grustream.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.history.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that every schema can evolve without breaking readers: its next version (a sample under
 * {@code evolution/}) reads what the current one writes, and the current one reads every published version.
 */
class SchemaEvolutionTest {

    /** The digest of each published version's text as parsed (see {@link #publishedVersionsAreNeverEdited}). */
    private static final Map<String, String> PUBLISHED = Map.ofEntries(
            Map.entry("AnomalyAlert-v1", "ca58f07334a7253d"),
            Map.entry("AnomalyAlert-v2", "77e038ebd16ac99a"),
            Map.entry("Forecast-v1", "eabdc17c1135bc99"),
            Map.entry("Forecast-v2", "d3fb6ab6ec257d80"),
            Map.entry("Observation-v1", "b8247de56116fbb3"),
            Map.entry("PendingObservation-v1", "116349daf8d5091f"),
            Map.entry("PendingObservation-v2", "eb7eb23a6a075c81"),
            Map.entry("PendingObservation-v3", "91ac84a1b9399a97"),
            Map.entry("SeriesState-v1", "14134ba3e72d7929"),
            Map.entry("SeriesState-v2", "0fd928e3d5cc1acf"),
            Map.entry("SeriesState-v3", "d62e6f94da06e1bc"),
            Map.entry("SeriesState-v4", "50e4a7e89f0029e6"),
            Map.entry("SeriesState-v5", "263b432ea78652d0"),
            Map.entry("SeriesState-v6", "592053bfcca4e998"),
            Map.entry("SeriesState-v7", "3071c80a616369e5"),
            Map.entry("SeriesState-v8", "bf672da1666d346f"),
            Map.entry("SeriesState-v9", "6a3891b4dbbd527d"));

    static Stream<SpecificRecord> samples() {
        Instant t = Instant.parse("2026-01-02T03:04:05.678Z");
        return Stream.of(
                Observation.newBuilder()
                        .setEventTime(t)
                        .setFeatures(Map.of("cpu", 0.25, "mem", 0.5))
                        .setSource(Map.of("host", "web-1"))
                        .build(),
                Forecast.newBuilder()
                        .setKey("web-1")
                        .setEventTime(t)
                        .setModelName("default")
                        .setModelVersion("3")
                        .setForecast(Map.of("cpu", List.of(0.3, 0.31)))
                        .setExpected(Map.of("cpu", 0.27))
                        .setAnomalyScore(0.42)
                        .setAnomalous(false)
                        .setStep(17)
                        .setStateReset(StateReset.NONE)
                        .build(),
                AnomalyAlert.newBuilder()
                        .setKey("web-1")
                        .setEventTime(t)
                        .setActual(Map.of("cpu", 0.99))
                        .setExpected(Map.of("cpu", 0.3))
                        .setAnomalyScore(0.9999)
                        .setThreshold(0.999)
                        .setSeverity(Severity.CRITICAL)
                        .setModelName("default")
                        .setModelVersion("3")
                        .setRule(AlertRule.INTERVAL)
                        .build(),
                SeriesState.newBuilder()
                        .setModelName("default")
                        .setModelVersion("3")
                        .setHidden(ByteBuffer.wrap(new byte[] {0, 0, -128, 63}))
                        .setStep(17)
                        .setLastEventTime(t)
                        .setForecast(List.of(0.3))
                        .setResiduals(ResidualStats.newBuilder()
                                .setCount(16)
                                .setMean(List.of(0.01))
                                .setVariance(List.of(0.002))
                                .build())
                        .setLastAlertTime(null)
                        .setLastAnomalyScore(0.42)
                        .build(),
                PendingObservation.newBuilder()
                        .setSequence(42)
                        .setKey("web-1")
                        .setEventTime(t)
                        .setFeatures(Map.of("cpu", 0.25))
                        .setRawValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 2}))
                        .setRecordTimestamp(t.toEpochMilli())
                        .setSourceTopic("observations")
                        .setSourcePartition(3)
                        .setSourceOffset(1234)
                        .build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void nextVersionCanReadWhatTheCurrentVersionWrites(SpecificRecord sample) throws IOException {
        Schema current = sample.getSchema();
        Schema next = nextVersionOf(current);

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(next, current).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void bytesWrittenWithTheCurrentVersionDecodeWithTheNextVersion(SpecificRecord sample) throws IOException {
        Schema current = sample.getSchema();
        Schema next = nextVersionOf(current);

        GenericRecord decoded = new GenericDatumReader<GenericRecord>(current, next)
                .read(null, DecoderFactory.get().binaryDecoder(encode(sample), null));

        for (Schema.Field field : current.getFields()) {
            assertThat(comparable(decoded.get(field.name())))
                    .as("field %s", field.name())
                    .isEqualTo(comparable(writtenForm(sample, field)));
        }
        Schema.Field added = next.getFields().get(next.getFields().size() - 1);
        assertThat(decoded.get(added.name())).as("added field %s takes its default", added.name()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void currentVersionReadsEveryPublishedVersion(SpecificRecord sample) {
        Schema current = sample.getSchema();
        List<Schema> published = SchemaHistory.versions(current.getName());

        assertThat(published).isNotEmpty();
        for (Schema old : published) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
                    .as("current %s reads published %s", current.getName(), old)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void currentVersionIsPublished(SpecificRecord sample) throws IOException {
        Schema current = sourceSchemaOf(sample);
        Schema newest = SchemaHistory.version(current.getName(), SchemaHistory.latestVersion(current.getName()));

        // Docs too: a registry tells schemas apart by their text, so a doc changed in place is another schema to a
        // serializer that looks up the subjects operators registered from the history directory.
        assertThat(newest.toString())
                .as("a changed %s.avsc must be published as a new history version", current.getName())
                .isEqualTo(current.toString());
    }

    /** While old and new instances write a topic in turn, its consumers' schema may be the previous one. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("topicRecords")
    void thePreviousPublishedVersionReadsWhatTheCurrentWrites(SpecificRecord sample) {
        Schema current = sample.getSchema();
        int latest = SchemaHistory.latestVersion(current.getName());
        Schema previous = SchemaHistory.version(current.getName(), Math.max(1, latest - 1));

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(previous, current).getType())
                .as("published %s reads the current one", previous)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    /** The samples of records written to topics, which consumers read: the others are gru-stream's own stores'. */
    static Stream<SpecificRecord> topicRecords() {
        return samples().filter(sample -> !(sample instanceof SeriesState) && !(sample instanceof PendingObservation));
    }

    /**
     * Avro's checker compares records by their short names, but Confluent's specific reader finds a record's class,
     * and RecordNameStrategy its subject, by the full name: no named type may move to another namespace.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyPublishedVersionsNamedTypesKeepTheirFullNames(SpecificRecord sample) {
        Set<String> current = fullNamesIn(sample.getSchema(), new TreeSet<>());

        for (Schema old : SchemaHistory.versions(sample.getSchema().getName())) {
            assertThat(current).as("the named types of %s", old).containsAll(fullNamesIn(old, new TreeSet<>()));
        }
    }

    /** What consumers and stored states were written with never changes: a change is a new version. */
    @Test
    void publishedVersionsAreNeverEdited() {
        Map<String, String> found = new TreeMap<>();
        for (String name : List.of("AnomalyAlert", "Forecast", "Observation", "PendingObservation", "SeriesState")) {
            for (int version = 1; version <= SchemaHistory.latestVersion(name); version++) {
                found.put(name + "-v" + version, digest(SchemaHistory.version(name, version).toString()));
            }
        }

        assertThat(found).isEqualTo(PUBLISHED);
    }

    @Test
    void checkerRejectsANewFieldWithoutDefault() throws IOException {
        Schema current = sourceSchemaOf(samples().findFirst().orElseThrow());
        Schema broken = new Schema.Parser().parse(current.toString().replace(
                "\"fields\":[", "\"fields\":[{\"name\":\"required_new\",\"type\":\"long\"},"));

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, current).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static Object writtenForm(SpecificRecord record, Schema.Field field) throws IOException {
        // Decode the record back with its own schema, generically, so that logical types and enums compare as
        // the generic reader represents them.
        GenericRecord generic = new GenericDatumReader<GenericRecord>(record.getSchema())
                .read(null, DecoderFactory.get().binaryDecoder(encode(record), null));
        return generic.get(field.name());
    }

    /** Maps compare regardless of entry order, Avro strings as Java strings. */
    private static Object comparable(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(k.toString(), comparable(v)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SchemaEvolutionTest::comparable).toList();
        }
        return value instanceof CharSequence ? value.toString() : value;
    }

    /** The schema as written in its .avsc file (the generated class's copy carries Java-only properties). */
    private static Schema sourceSchemaOf(SpecificRecord record) throws IOException {
        String path = "/dev/grustream/avro/" + record.getSchema().getName() + ".avsc";
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(path)) {
            assertThat(in).as("schema source %s in the jar", path).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    private static Set<String> fullNamesIn(Schema schema, Set<String> names) {
        switch (schema.getType()) {
            case RECORD -> {
                if (names.add(schema.getFullName())) {
                    schema.getFields().forEach(field -> fullNamesIn(field.schema(), names));
                }
            }
            case ENUM, FIXED -> names.add(schema.getFullName());
            case ARRAY -> fullNamesIn(schema.getElementType(), names);
            case MAP -> fullNamesIn(schema.getValueType(), names);
            case UNION -> schema.getTypes().forEach(type -> fullNamesIn(type, names));
            default -> {
            }
        }
        return names;
    }

    /** The first 16 hex digits of the SHA-256 of {@code text}'s UTF-8 bytes. */
    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Schema nextVersionOf(Schema current) throws IOException {
        String path = "/evolution/" + current.getName() + "-next.avsc";
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(path)) {
            assertThat(in).as("sample next version %s", path).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }
}
