package dev.grustream.serde.internals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;
import dev.grustream.serde.SchemaRegistryException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * A {@link SchemaRegistryClient} that remembers every id, schema and latest version its delegate returned, for its
 * whole lifetime, so the serdes' hot path asks the registry once per schema: ids and schemas never change in a
 * registry, and a latest version is deliberately pinned (as Confluent's serializer does by default) so that a
 * running producer does not switch schemas mid-stream.
 *
 * <p>Failures are not cached: the next call asks again. Concurrent first calls for the same key wait for one
 * request instead of sending several. The caches hold one entry per schema the process meets, at most
 * {@code max.schemas.per.subject} per subject (one more is refused, as Confluent's client does, since a producer
 * making a new schema per record would otherwise exhaust the memory); unknown ids are never stored. Schemas by id,
 * which a deserializer meets as the records it reads name them, are kept for the {@value #MAX_SCHEMAS_BY_ID} met most
 * (a shared registry may hold many more); one evicted is asked for again when it is met again. Thread-safe.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    /** How many schemas by id a client keeps, as many as Confluent's client keeps by default. */
    public static final int MAX_SCHEMAS_BY_ID = 1_000;

    private final SchemaRegistryClient delegate;
    private final int maxSchemasPerSubject;
    private final ConcurrentMap<String, ConcurrentMap<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Cache<Integer, Schema> schemasById = Caffeine.newBuilder().maximumSize(MAX_SCHEMAS_BY_ID)
            .executor(Runnable::run).build();
    private final ConcurrentMap<String, SchemaMetadata> latestBySubject = new ConcurrentHashMap<>();

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate, int maxSchemasPerSubject) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (maxSchemasPerSubject < 1) {
            throw new IllegalArgumentException(
                    "maxSchemasPerSubject must be at least 1, found " + maxSchemasPerSubject);
        }
        this.maxSchemasPerSubject = maxSchemasPerSubject;
    }

    @Override
    public int register(String subject, Schema schema) {
        ConcurrentMap<Schema, Integer> ids = idsOf(subject);
        Integer id = ids.get(schema);
        if (id != null) {
            return id;
        }
        checkRoom(subject, ids);
        return ids.computeIfAbsent(schema, unknown -> remember(delegate.register(subject, unknown), unknown));
    }

    @Override
    public int getId(String subject, Schema schema) {
        ConcurrentMap<Schema, Integer> ids = idsOf(subject);
        Integer id = ids.get(schema);
        if (id != null) {
            return id;
        }
        checkRoom(subject, ids);
        return ids.computeIfAbsent(schema, unknown -> remember(delegate.getId(subject, unknown), unknown));
    }

    @Override
    public Schema getSchemaById(int id) {
        return schemasById.get(id, delegate::getSchemaById);
    }

    @Override
    public SchemaMetadata getLatestSchemaMetadata(String subject) {
        SchemaMetadata latest = latestBySubject.get(subject);
        if (latest != null) {
            return latest;
        }
        return latestBySubject.computeIfAbsent(subject, unknown -> {
            SchemaMetadata metadata = delegate.getLatestSchemaMetadata(unknown);
            remember(metadata.id(), metadata.schema());
            return metadata;
        });
    }

    /** Not cached: a compatibility answer changes whenever the subject gets a new version. */
    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return delegate.testCompatibility(subject, schema);
    }

    private ConcurrentMap<Schema, Integer> idsOf(String subject) {
        ConcurrentMap<Schema, Integer> ids = idsBySubject.get(subject);
        return ids != null ? ids : idsBySubject.computeIfAbsent(subject, unknown -> new ConcurrentHashMap<>());
    }

    private void checkRoom(String subject, ConcurrentMap<Schema, Integer> ids) {
        if (ids.size() >= maxSchemasPerSubject) {
            throw new SchemaRegistryException("This client already holds " + ids.size() + " schemas for subject '"
                    + subject + "', the most max.schemas.per.subject allows", SchemaRegistryException.NO_STATUS,
                    SchemaRegistryException.NO_ERROR_CODE);
        }
    }

    // A schema this process registered or looked up is one its deserializers may meet next: knowing its id saves
    // them a request.
    private int remember(int id, Schema schema) {
        schemasById.asMap().putIfAbsent(id, schema);
        return id;
    }
}
