package dev.grustream.serde;

import java.util.Map;

import org.apache.avro.Schema;

import dev.grustream.serde.internals.SchemaRegistryClients;

/**
 * A client of a Confluent-compatible Schema Registry: the five calls the serdes need, with Confluent's REST
 * semantics. Every method throws {@link SchemaRegistryException} (status and {@code error_code}) when the registry
 * refuses, and {@link SchemaRegistryUnavailableException} when no registry URL answers.
 *
 * <p>Implementations are thread-safe: one client, with its caches, serves every thread of a serde. Build one with
 * {@link #create(Map)}, or use {@link MockSchemaRegistry#clientForScope(String)} in tests.
 */
public interface SchemaRegistryClient {
    /** Registers {@code schema} under {@code subject} (or finds it already there) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} as registered under {@code subject}, without registering it. */
    int getId(String subject, Schema schema);

    /** Returns the schema with global id {@code id}. */
    Schema getSchemaById(int id);

    /** Returns the latest version of {@code subject}. */
    SchemaMetadata getLatestSchemaMetadata(String subject);

    /** Returns whether {@code subject} would accept {@code schema} as its next version. */
    boolean testCompatibility(String subject, Schema schema);

    /**
     * Returns a caching client for the registry configured by {@code configs}
     * ({@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG}, basic-auth and timeout keys): the shared in-process
     * registry of the scope for a {@code mock://<scope>} URL, else a REST client with fail-over across the URLs.
     * Ids, schemas and latest versions are cached for the client's lifetime, so a schema costs one request.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key when a value is missing or invalid
     */
    static SchemaRegistryClient create(Map<String, ?> configs) {
        return SchemaRegistryClients.create(new AvroSerdeConfig(configs));
    }
}
