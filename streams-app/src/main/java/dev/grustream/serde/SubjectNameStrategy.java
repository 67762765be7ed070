package dev.grustream.serde;

import org.apache.avro.Schema;

/**
 * How a serializer names the registry subject a schema is registered and looked up under. Chosen with
 * {@link AvroSerdeConfig#KEY_SUBJECT_NAME_STRATEGY_CONFIG} and
 * {@link AvroSerdeConfig#VALUE_SUBJECT_NAME_STRATEGY_CONFIG}, which accept {@link TopicNameStrategy},
 * {@link RecordNameStrategy} and {@link TopicRecordNameStrategy} by our class names or Confluent's.
 * Implementations are stateless and thread-safe.
 */
public interface SubjectNameStrategy {
    /** Returns the subject for a key (when {@code isKey}) or value of {@code topic} written with {@code schema}. */
    String subjectName(String topic, boolean isKey, Schema schema);
}
