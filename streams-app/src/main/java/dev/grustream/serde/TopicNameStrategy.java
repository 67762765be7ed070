package dev.grustream.serde;

import org.apache.avro.Schema;

/**
 * The default subject name strategy: {@code <topic>-key} or {@code <topic>-value}, so one topic holds one record type
 * whose evolution the registry checks. Same subjects as Confluent's
 * {@code io.confluent.kafka.serializers.subject.TopicNameStrategy}. Stateless and thread-safe.
 */
public final class TopicNameStrategy implements SubjectNameStrategy {
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return topic + (isKey ? "-key" : "-value");
    }
}
