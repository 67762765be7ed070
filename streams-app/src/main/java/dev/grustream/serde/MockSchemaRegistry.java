package dev.grustream.serde;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.grustream.serde.internals.SchemaRegistryStore;
import dev.grustream.serde.internals.StoreSchemaRegistryClient;

/**
 * The in-process registries behind {@code schema.registry.url=mock://<scope>}: one per scope name, shared by every
 * serde of that scope in the JVM, created on first use, with {@link CompatibilityLevel#BACKWARD} checks when a schema
 * is registered, as a real registry makes them (Confluent's mock makes them only when asked). Each serde
 * reaches it through a caching client of its own, as it would a real registry: it pins the latest version it met
 * while it remembers it, within its own {@code max.schemas.per.subject}. Like
 * Confluent's {@code MockSchemaRegistry}, a test isolates itself with a scope of its own and drops it afterwards:
 *
 * <pre>{@code
 * Map<String, Object> config = Map.of("schema.registry.url", "mock://" + getClass().getSimpleName());
 * ...
 * @AfterEach void dropRegistry() { MockSchemaRegistry.dropScope(getClass().getSimpleName()); }
 * }</pre>
 *
 * <p>The registry logic is the same as {@link InMemorySchemaRegistryServer}'s. Thread-safe.
 */
public final class MockSchemaRegistry {
    private static final ConcurrentMap<String, SchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private MockSchemaRegistry() {
    }

    /**
     * Returns the client of {@code scope}'s registry, creating an empty registry on first use. It caches nothing: every
     * call sees the registry as it is.
     */
    public static SchemaRegistryClient clientForScope(String scope) {
        return SCOPES.computeIfAbsent(scope, unknown -> new StoreSchemaRegistryClient(
                new SchemaRegistryStore(CompatibilityLevel.BACKWARD)));
    }

    /**
     * Forgets {@code scope}'s registry: serdes configured afterwards start from an empty one. Serdes configured
     * before keep the registry they hold.
     */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }
}
