package dev.grustream.serde;

import org.apache.avro.Schema;

import dev.grustream.serde.AvroSerializationException.Reason;

/**
 * Subject name strategy that uses the record's full name ({@code dev.grustream.avro.Forecast}), so one record type
 * evolves under one subject whatever topics carry it. Same subjects as Confluent's
 * {@code io.confluent.kafka.serializers.subject.RecordNameStrategy}, which, like this one, refuses a value whose schema
 * is not a record (a string, an enum): such a schema has no record name. Stateless and thread-safe.
 */
public final class RecordNameStrategy implements SubjectNameStrategy {
    /**
     * @throws AvroSerializationException ({@link Reason#UNSUPPORTED_TYPE}) when {@code schema} is not a record
     */
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return recordName(topic, isKey, schema, getClass());
    }

    /** The full name of {@code schema}, a record, for the strategy {@code strategy}; refused otherwise. */
    static String recordName(String topic, boolean isKey, Schema schema,
                             Class<? extends SubjectNameStrategy> strategy) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new AvroSerializationException(Reason.UNSUPPORTED_TYPE, AvroSerializationException.NO_SCHEMA_ID,
                    "cannot name a subject for a " + (isKey ? "key" : "value") + " of topic '" + topic + "' with "
                            + strategy.getSimpleName() + ": its schema is a " + schema.getType()
                            + ", and only a record has a record name");
        }
        return schema.getFullName();
    }
}
