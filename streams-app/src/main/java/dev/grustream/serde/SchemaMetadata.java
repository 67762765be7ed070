package dev.grustream.serde;

import java.util.Objects;

import org.apache.avro.Schema;

/**
 * One version of a subject in a Schema Registry: the subject, its version number there, the schema's global id and
 * the schema itself. Immutable; safe to share between threads.
 */
public final class SchemaMetadata {
    private final String subject;
    private final int version;
    private final int id;
    private final Schema schema;

    private SchemaMetadata(String subject, int version, int id, Schema schema) {
        this.subject = subject;
        this.version = version;
        this.id = id;
        this.schema = schema;
    }

    /**
     * Returns the metadata of one subject version.
     *
     * @throws IllegalArgumentException naming the field when the subject is empty or the version or id not positive
     */
    public static SchemaMetadata of(String subject, int version, int id, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject: expected a non-empty name, found \"\"");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version: expected a number >= 1, found " + version);
        }
        if (id < 0) {
            throw new IllegalArgumentException("id: expected a number >= 0, found " + id);
        }
        return new SchemaMetadata(subject, version, id, schema);
    }

    public String subject() {
        return subject;
    }

    /** The version number under the subject, starting at 1. */
    public int version() {
        return version;
    }

    /** The schema's id, global across all subjects of the registry. */
    public int id() {
        return id;
    }

    public Schema schema() {
        return schema;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchemaMetadata that
                && subject.equals(that.subject)
                && version == that.version
                && id == that.id
                && schema.equals(that.schema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, version, id, schema);
    }

    @Override
    public String toString() {
        return "SchemaMetadata{subject=" + subject + ", version=" + version + ", id=" + id + ", schema="
                + schema.getFullName() + "}";
    }
}
