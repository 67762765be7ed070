package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Values a deserializer with logical-type conversions hands over, inside nullable unions. */
class GenericAvroObservationReaderTest {

    private static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    private static InboundObservation read(String timeField, Object time) {
        Schema schema = SchemaBuilder.record("Converted").fields()
                .name("at").type(nullable(LogicalTypes.timestampMillis()
                        .addToSchema(Schema.create(Schema.Type.LONG)))).noDefault()
                .name("day").type(nullable(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))))
                .noDefault()
                .name("nanos").type(nullable(LogicalTypes.timestampNanos()
                        .addToSchema(Schema.create(Schema.Type.LONG)))).noDefault()
                .name("value").type().doubleType().noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put(timeField, time);
        record.put("value", 1.5);
        GenericAvroObservationReader reader = new GenericAvroObservationReader(new ByteArrayDeserializer(),
                new InputMapping(List.of(), Optional.of(FieldPath.parse(timeField)), Map.of()),
                () -> List.of("value"));
        return reader.read(record, new byte[0]);
    }

    @Test
    void aConvertedTimestampInANullableUnionIsItsInstant() {
        assertThat(read("at", Instant.parse("2026-05-01T10:00:00Z")).eventTime())
                .isEqualTo(Instant.parse("2026-05-01T10:00:00Z").toEpochMilli());
    }

    @Test
    void aTimestampInNanosecondsIsReadAsNanosecondsWhateverItsSize() {
        // 1971: as a plain number this size would be read as microseconds.
        long nanos = Instant.parse("1971-08-02T00:00:00.123Z").toEpochMilli() * 1_000_000 + 999_999;

        assertThat(read("nanos", nanos).eventTime())
                .isEqualTo(Instant.parse("1971-08-02T00:00:00.123Z").toEpochMilli());
    }

    @Test
    void aDottedPathFindsAMapKeyThatHoldsTheDots() {
        Schema schema = SchemaBuilder.record("Labelled").fields()
                .name("labels").type().map().values().stringType().noDefault()
                .name("value").type().doubleType().noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("labels", Map.of("k8s.pod", "web-1"));
        record.put("value", 1.5);
        GenericAvroObservationReader reader = new GenericAvroObservationReader(new ByteArrayDeserializer(),
                new InputMapping(List.of(FieldPath.parse("labels.k8s.pod")), Optional.empty(), Map.of()),
                () -> List.of("value"));

        assertThat(reader.read(record, new byte[0]).seriesKey()).isEqualTo("web-1");
    }

    @Test
    void aPathThatWouldEnterAnArraySaysSoRatherThanThatTheFieldIsMissing() {
        Schema tag = SchemaBuilder.record("Tag").fields().requiredString("host").endRecord();
        Schema schema = SchemaBuilder.record("Tagged").fields()
                .name("tags").type().array().items(tag).noDefault()
                .name("value").type().doubleType().noDefault()
                .endRecord();
        GenericRecord one = new GenericData.Record(tag);
        one.put("host", "web-1");
        GenericRecord record = new GenericData.Record(schema);
        record.put("tags", new GenericData.Array<>(schema.getField("tags").schema(), List.of(one)));
        record.put("value", 1.5);
        GenericAvroObservationReader reader = new GenericAvroObservationReader(new ByteArrayDeserializer(),
                new InputMapping(List.of(FieldPath.parse("tags.host")), Optional.empty(), Map.of()),
                () -> List.of("value"));

        assertThatThrownBy(() -> reader.read(record, new byte[0])).isInstanceOfSatisfying(InputException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(InputException.Reason.MISSING_FIELD);
                    assertThat(e.getMessage()).contains("'tags.host' is inside an array");
                });
    }

    @Test
    void aConvertedDateInANullableUnionIsMidnightUtcOfItsDay() {
        assertThat(read("day", LocalDate.parse("2026-05-01")).eventTime())
                .isEqualTo(Instant.parse("2026-05-01T00:00:00Z").toEpochMilli());
    }

    /** A reader of records with a string field "site" naming the series and a feature "value" of {@code value}. */
    private static GenericAvroObservationReader siteReader(Deserializer<?> records) {
        return new GenericAvroObservationReader(records,
                new InputMapping(List.of(FieldPath.parse("site")), Optional.empty(), Map.of()),
                () -> List.of("value"));
    }

    private static GenericRecord site(Object site, Object value, Schema valueSchema) {
        Schema schema = SchemaBuilder.record("Sited").fields()
                .name("site").type().stringType().noDefault()
                .name("value").type(valueSchema).noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("site", site);
        record.put("value", value);
        return record;
    }

    @Test
    void twoKeysThatAreNotUtf8AreRefusedInsteadOfBecomingOneSeries() {
        GenericAvroObservationReader reader = siteReader(new ByteArrayDeserializer());
        Schema doubles = Schema.create(Schema.Type.DOUBLE);

        for (byte first : new byte[] {(byte) 0xFE, (byte) 0xFF}) {
            GenericRecord record = site(new Utf8(new byte[] {first, 'a'}), 1.5, doubles);
            assertThatThrownBy(() -> reader.read(record, new byte[0]))
                    .isInstanceOfSatisfying(InputException.class,
                            e -> assertThat(e.reason()).isEqualTo(InputException.Reason.UNDECODABLE))
                    .hasMessageContaining("the field 'site' holds a string that is not UTF-8");
        }
        assertThat(reader.read(site(new Utf8("caf\u00e9"), 1.5, doubles), new byte[0]).seriesKey())
                .isEqualTo("caf\u00e9");
    }

    @Test
    void anEmptyDecimalIsNotANumber() {
        Schema decimal = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        GenericRecord record = site("a", ByteBuffer.allocate(0), decimal);

        assertThatThrownBy(() -> siteReader(new ByteArrayDeserializer()).read(record, new byte[0]))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER))
                .hasMessageContaining("the field 'value' holds a decimal that is not a number");
    }

    @Test
    void aDecimalOfMoreDigitsThanItsPrecisionIsNotANumber() {
        Schema decimal = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        byte[] huge = new byte[20_000];
        huge[1] = 1;
        GenericRecord tooLong = site("a", ByteBuffer.wrap(huge), decimal);
        GenericRecord longest = site("a", ByteBuffer.wrap(BigInteger.valueOf(-999_999_999).toByteArray()), decimal);
        GenericAvroObservationReader reader = siteReader(new ByteArrayDeserializer());

        assertThatThrownBy(() -> reader.read(tooLong, new byte[0]))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER))
                .hasMessageContaining("more digits than its schema's precision, 9");
        assertThat(reader.read(longest, new byte[0]).features()).containsEntry("value", -9_999_999.99);
    }

    @Test
    void aDecimalItsDeserializerConvertedIsHeldToItsPrecisionToo() {
        Schema decimal = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema nullableDecimal = Schema.createUnion(Schema.create(Schema.Type.NULL), decimal);
        Schema doubleOrDecimal = Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.DOUBLE), decimal);
        GenericAvroObservationReader reader = siteReader(new ByteArrayDeserializer());

        for (Schema schema : List.of(decimal, nullableDecimal, doubleOrDecimal)) {
            assertThatThrownBy(() -> reader.read(site("a", new BigDecimal("123456789012.34"), schema), new byte[0]))
                    .isInstanceOfSatisfying(InputException.class,
                            e -> assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER))
                    .hasMessageContaining("more digits than its schema's precision, 9");
            assertThat(reader.read(site("a", new BigDecimal("-9999999.99"), schema), new byte[0]).features())
                    .containsEntry("value", -9_999_999.99);
        }
    }

    @Test
    void aDecimalIsReadWithAtMostAThousandDigitsWhateverItsSchemaDeclares() {
        Schema vast = LogicalTypes.decimal(10_000_000, 0).addToSchema(Schema.create(Schema.Type.BYTES));
        BigInteger thousandAndOneDigits = BigInteger.TEN.pow(GenericAvroObservationReader.MAX_DECIMAL_DIGITS);
        GenericAvroObservationReader reader = siteReader(new ByteArrayDeserializer());

        assertThatThrownBy(() -> reader.read(site("a", ByteBuffer.wrap(thousandAndOneDigits.toByteArray()), vast),
                new byte[0]))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER))
                .hasMessageContaining("more digits than the 1000 read");
    }

    @Test
    void aDecimalOneDigitLongerThanItsPrecisionIsNotANumber() {
        Schema twoDigits = LogicalTypes.decimal(2, 0).addToSchema(Schema.create(Schema.Type.BYTES));
        GenericAvroObservationReader reader = siteReader(new ByteArrayDeserializer());

        assertThatThrownBy(() -> reader.read(site("a", ByteBuffer.wrap(new byte[] {100}), twoDigits), new byte[0]))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER));
        assertThat(reader.read(site("a", ByteBuffer.wrap(new byte[] {99}), twoDigits), new byte[0]).features())
                .containsEntry("value", 99.0);
    }

    @Test
    void bytesThatDecodeToNullAreASchemaMismatchNotATombstone() {
        Deserializer<Object> nullType = (topic, data) -> null;

        assertThatThrownBy(() -> siteReader(nullType).deserialize("observations", new byte[] {0, 0, 0, 0, 7}))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.SCHEMA_MISMATCH))
                .hasMessageContaining("5 bytes decode to null");
        assertThat(siteReader(nullType).deserialize("observations", null)).isNull();
    }

    @Test
    void aDeserializerThatRunsOutOfStackGivesAnUndecodableValue() {
        Deserializer<Object> overflowing = (topic, data) -> {
            throw new StackOverflowError();
        };

        assertThatThrownBy(() -> siteReader(overflowing).deserialize("observations", new byte[] {1}))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.reason()).isEqualTo(InputException.Reason.UNDECODABLE))
                .hasMessageContaining("nested too deeply");
    }
}
