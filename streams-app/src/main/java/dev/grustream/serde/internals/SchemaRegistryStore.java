package dev.grustream.serde.internals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.Schema;

import dev.grustream.serde.CompatibilityLevel;
import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryException;

/**
 * The registry logic behind both {@code mock://} scopes and the in-memory REST server: subjects with numbered
 * versions, ids global across subjects, and compatibility checks, with Confluent's answers and error codes.
 *
 * <p>Two schemas are the same when Avro prints them the same ({@link Schema#toString()} of the parsed schema), so
 * whitespace and key order do not matter but docs, defaults and logical types do; registering the same schema again
 * returns its id, under any subject. Ids start at 1. Thread-safe (every method is synchronized: the store is off
 * the hot path, which the clients' caches keep away from it).
 */
public final class SchemaRegistryStore {
    private final CompatibilityLevel compatibility;
    private final Map<String, Integer> idsByForm = new HashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

    public SchemaRegistryStore(CompatibilityLevel compatibility) {
        this.compatibility = Objects.requireNonNull(compatibility, "compatibility");
    }

    /**
     * Registers {@code schema} as the next version of {@code subject}, or finds it already there.
     *
     * @throws SchemaRegistryException status 409, {@link SchemaRegistryException#INCOMPATIBLE_SCHEMA}, when the
     *         subject's compatibility level refuses the schema
     */
    public synchronized int register(String subject, Schema schema) {
        String form = schema.toString();
        Integer known = idsByForm.get(form);
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, unknown -> new ArrayList<>());
        if (known != null && versions.contains(known)) {
            return known;
        }
        List<String> violations = compatibility.violations(schema, schemasOf(versions));
        if (!violations.isEmpty()) {
            throw new SchemaRegistryException("Schema being registered is incompatible with an earlier schema for "
                    + "subject '" + subject + "' (" + compatibility + "): " + String.join("; ", violations), 409,
                    SchemaRegistryException.INCOMPATIBLE_SCHEMA);
        }
        int id = known != null ? known : newId(form, schema);
        versions.add(id);
        return id;
    }

    /**
     * Returns the version of {@code subject} that holds {@code schema}.
     *
     * @throws SchemaRegistryException 404 with {@link SchemaRegistryException#SUBJECT_NOT_FOUND} or
     *         {@link SchemaRegistryException#SCHEMA_NOT_FOUND}
     */
    public synchronized SchemaMetadata lookup(String subject, Schema schema) {
        List<Integer> versions = versionsOf(subject);
        Integer id = idsByForm.get(schema.toString());
        int index = id == null ? -1 : versions.indexOf(id);
        if (index < 0) {
            throw new SchemaRegistryException("Schema not found under subject '" + subject + "'", 404,
                    SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return SchemaMetadata.of(subject, index + 1, id, schemasById.get(id - 1));
    }

    /**
     * Returns the schema with global id {@code id}.
     *
     * @throws SchemaRegistryException 404 with {@link SchemaRegistryException#SCHEMA_NOT_FOUND}
     */
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404,
                    SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return schemasById.get(id - 1);
    }

    /**
     * Returns the latest version of {@code subject}.
     *
     * @throws SchemaRegistryException 404 with {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
     */
    public synchronized SchemaMetadata latest(String subject) {
        List<Integer> versions = versionsOf(subject);
        int id = versions.get(versions.size() - 1);
        return SchemaMetadata.of(subject, versions.size(), id, schemasById.get(id - 1));
    }

    /**
     * Returns whether {@code subject} would accept {@code schema} as its next version under the store's level.
     *
     * @throws SchemaRegistryException 404 with {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
     */
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return compatibility.violations(schema, schemasOf(versionsOf(subject))).isEmpty();
    }

    private List<Integer> versionsOf(String subject) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404,
                    SchemaRegistryException.SUBJECT_NOT_FOUND);
        }
        return versions;
    }

    private List<Schema> schemasOf(List<Integer> ids) {
        List<Schema> schemas = new ArrayList<>(ids.size());
        for (int id : ids) {
            schemas.add(schemasById.get(id - 1));
        }
        return schemas;
    }

    private int newId(String form, Schema schema) {
        schemasById.add(schema);
        int id = schemasById.size();
        idsByForm.put(form, id);
        return id;
    }
}
