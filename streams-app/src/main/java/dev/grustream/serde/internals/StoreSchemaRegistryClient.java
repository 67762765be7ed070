package dev.grustream.serde.internals;

import java.util.Objects;

import org.apache.avro.Schema;

import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;

/**
 * A {@link SchemaRegistryClient} that calls a {@link SchemaRegistryStore} in the same JVM: the client of a
 * {@code mock://} scope. Errors are the store's, the same a REST client gets from the in-memory server.
 * Thread-safe, as the store is.
 */
public final class StoreSchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaRegistryStore store;

    public StoreSchemaRegistryClient(SchemaRegistryStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public int register(String subject, Schema schema) {
        return store.register(subject, schema);
    }

    @Override
    public int getId(String subject, Schema schema) {
        return store.lookup(subject, schema).id();
    }

    @Override
    public Schema getSchemaById(int id) {
        return store.schemaById(id);
    }

    @Override
    public SchemaMetadata getLatestSchemaMetadata(String subject) {
        return store.latest(subject);
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return store.isCompatible(subject, schema);
    }
}
