package dev.grustream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.avro.StateReset;

/** Records and schemas the serde tests share, and a plain Avro encoder that owes nothing to the code under test. */
final class TestRecords {
    /** A record with no generated class: the generic serde's test subject. */
    static final Schema READING = new Schema.Parser().parse("""
            {"type": "record", "name": "Reading", "namespace": "dev.grustream.test",
             "fields": [{"name": "sensor", "type": "string"}, {"name": "value", "type": "double"}]}""");

    /** Forecast as an older writer knew it: without the two fields the current schema gives defaults. */
    static final Schema FORECAST_WITHOUT_DEFAULTED_FIELDS = new Schema.Parser().parse("""
            {"type": "record", "name": "Forecast", "namespace": "dev.grustream.avro",
             "fields": [
               {"name": "key", "type": "string"},
               {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
               {"name": "model_name", "type": "string"},
               {"name": "model_version", "type": "string"},
               {"name": "forecast", "type": {"type": "map", "values": {"type": "array", "items": "double"}}},
               {"name": "anomaly_score", "type": "double"},
               {"name": "anomalous", "type": "boolean"},
               {"name": "step", "type": "long"}]}""");

    private TestRecords() {
    }

    static Forecast forecast(String key) {
        return Forecast.newBuilder()
                .setKey(key)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setModelName("gru-64")
                .setModelVersion("3")
                .setForecast(Map.of("cpu", List.of(0.25, 0.5, 0.75)))
                .setExpected(Map.of("cpu", 0.2))
                .setAnomalyScore(0.93)
                .setAnomalous(true)
                .setStep(42)
                .setStateReset(StateReset.GAP)
                .build();
    }

    /** {@link #forecast}'s fields in {@link #FORECAST_WITHOUT_DEFAULTED_FIELDS}, as an older writer sends them. */
    static GenericData.Record olderForecast(String key) {
        GenericData.Record old = new GenericData.Record(FORECAST_WITHOUT_DEFAULTED_FIELDS);
        Forecast forecast = forecast(key);
        for (Schema.Field field : FORECAST_WITHOUT_DEFAULTED_FIELDS.getFields()) {
            old.put(field.name(), forecast.get(field.name()));
        }
        old.put("event_time", forecast.getEventTime().toEpochMilli());
        return old;
    }

    static Observation observation(double cpu) {
        return Observation.newBuilder()
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setFeatures(Map.of("cpu", cpu))
                .setSource(Map.of("host", "web-1"))
                .build();
    }

    static GenericRecord reading(String sensor, double value) {
        GenericData.Record record = new GenericData.Record(READING);
        record.put("sensor", sensor);
        record.put("value", value);
        return record;
    }

    /** The Avro binary encoding of a generated record, written with Avro's own writer. */
    static byte[] avroBody(SpecificRecord record) {
        return encode(new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForClass(record.getClass())),
                record);
    }

    /** The Avro binary encoding of {@code datum} in {@code schema}, written with Avro's own generic writer. */
    static byte[] avroBody(Schema schema, Object datum) {
        return encode(new GenericDatumWriter<>(schema, GenericData.get()), datum);
    }

    /** Confluent framing by hand: magic byte 0, big-endian id, body. */
    static byte[] framed(int schemaId, byte[] body) {
        byte[] bytes = new byte[5 + body.length];
        bytes[0] = 0;
        bytes[1] = (byte) (schemaId >> 24);
        bytes[2] = (byte) (schemaId >> 16);
        bytes[3] = (byte) (schemaId >> 8);
        bytes[4] = (byte) schemaId;
        System.arraycopy(body, 0, bytes, 5, body.length);
        return bytes;
    }

    private static <T> byte[] encode(DatumWriter<T> writer, T datum) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
