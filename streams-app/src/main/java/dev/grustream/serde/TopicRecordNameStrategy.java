package dev.grustream.serde;

import org.apache.avro.Schema;

import dev.grustream.serde.AvroSerializationException.Reason;

/**
 * Subject name strategy {@code <topic>-<record full name>}, so one topic may carry several record types, each
 * evolving on its own. Same subjects as Confluent's
 * {@code io.confluent.kafka.serializers.subject.TopicRecordNameStrategy}, which, like this one, refuses a value whose
 * schema is not a record. Stateless and thread-safe.
 */
public final class TopicRecordNameStrategy implements SubjectNameStrategy {
    /**
     * @throws AvroSerializationException ({@link Reason#UNSUPPORTED_TYPE}) when {@code schema} is not a record
     */
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return topic + "-" + RecordNameStrategy.recordName(topic, isKey, schema, getClass());
    }
}
