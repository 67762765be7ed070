package dev.grustream.serde;

import org.apache.avro.Schema;

/**
 * Subject name strategy that uses the record's full name ({@code dev.grustream.avro.Forecast}), so one record type
 * evolves under one subject whatever topics carry it. Same subjects as Confluent's
 * {@code io.confluent.kafka.serializers.subject.RecordNameStrategy}. Stateless and thread-safe.
 */
public final class RecordNameStrategy implements SubjectNameStrategy {
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return schema.getFullName();
    }
}
