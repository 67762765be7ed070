package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
    void aConvertedDateInANullableUnionIsMidnightUtcOfItsDay() {
        assertThat(read("day", LocalDate.parse("2026-05-01")).eventTime())
                .isEqualTo(Instant.parse("2026-05-01T00:00:00Z").toEpochMilli());
    }
}
