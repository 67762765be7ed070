package dev.grustream.serde;

import org.apache.avro.Schema;

/**
 * Subject name strategy {@code <topic>-<record full name>}, so one topic may carry several record types, each
 * evolving on its own. Same subjects as Confluent's
 * {@code io.confluent.kafka.serializers.subject.TopicRecordNameStrategy}. Stateless and thread-safe.
 */
public final class TopicRecordNameStrategy implements SubjectNameStrategy {
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return topic + "-" + schema.getFullName();
    }
}
