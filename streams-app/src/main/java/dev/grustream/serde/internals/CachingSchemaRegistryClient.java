package dev.grustream.serde.internals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import java.time.Duration;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A {@link SchemaRegistryClient} that remembers the ids, schemas and latest versions its delegate returned, up to
 * the bounds below, so the serdes' hot path asks the registry once per schema: ids and schemas never change in a
 * registry, and a latest version is deliberately pinned while it is remembered (as Confluent's serializer does by
 * default) so that a running producer does not switch schemas mid-stream.
 *
 * <p>Failures are not cached: the next call asks again, with one exception. An id the registry answered it does
 * not know (Confluent's 40403) is remembered as unknown for {@code missing.id.cache.ttl.sec}, at most
 * {@code missing.cache.size} of them, as Confluent's client does when those keys are set: a producer that writes with
 * another registry's ids would otherwise cost one registry request per record it sends, before each is refused. An
 * id whose schema is there but cannot be used (not Avro, or not parsed: Confluent's 42201) is remembered as such for
 * good, at most {@value #MAX_SCHEMAS_BY_ID} of them, for the same reason: the schema of an id never changes.
 * Concurrent first calls for the same key wait for one request instead of sending several. Every cache is bounded,
 * as Confluent's client's are since its 7.0 release, so that a producer making a new schema per record or a new
 * subject per record name cannot exhaust the memory: ids by schema are kept for the {@code max.schemas.per.subject}
 * met most per subject, and for as many subjects; latest versions for as many subjects; schemas by id, which a
 * deserializer meets as the records it reads name them, for the {@value #MAX_SCHEMAS_BY_ID} met most (a shared
 * registry may hold many more). One evicted is asked for again when it is met again (a latest version evicted is
 * then the subject's latest at that time). Thread-safe.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    /** How many schemas by id a client keeps, as many as Confluent's client keeps by default. */
    public static final int MAX_SCHEMAS_BY_ID = 1_000;

    private final SchemaRegistryClient delegate;
    private final int maxSchemasPerSubject;
    private final Cache<String, Cache<Schema, Integer>> idsBySubject;
    private final Cache<Integer, Schema> schemasById = Caffeine.newBuilder().maximumSize(MAX_SCHEMAS_BY_ID)
            .executor(Runnable::run).build();
    private final Cache<String, SchemaMetadata> latestBySubject;
    /** The ids the registry said it does not know, with its message; empty when they are not remembered. */
    private final Cache<Integer, String> missingIds;
    /** The ids whose schema cannot be used, with the refusal. */
    private final Cache<Integer, Unusable> unusableIds = Caffeine.newBuilder().maximumSize(MAX_SCHEMAS_BY_ID)
            .executor(Runnable::run).build();

    /** Why the schema of an id cannot be used, as the answer said it. */
    private record Unusable(String message, int status) {
    }

    /**
     * @param missingIdTtl how long an id the registry does not know is answered as unknown without asking again;
     *        zero asks every time
     * @param missingCacheSize how many such ids are remembered at most
     */
    public CachingSchemaRegistryClient(SchemaRegistryClient delegate, int maxSchemasPerSubject, Duration missingIdTtl,
            int missingCacheSize) {
        this(delegate, maxSchemasPerSubject, missingIdTtl, missingCacheSize, Ticker.systemTicker());
    }

    CachingSchemaRegistryClient(SchemaRegistryClient delegate, int maxSchemasPerSubject, Duration missingIdTtl,
            int missingCacheSize, Ticker ticker) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (maxSchemasPerSubject < 1) {
            throw new IllegalArgumentException(
                    "maxSchemasPerSubject must be at least 1, found " + maxSchemasPerSubject);
        }
        if (missingIdTtl.isNegative() || missingCacheSize < 0) {
            throw new IllegalArgumentException("missingIdTtl and missingCacheSize must not be negative, found "
                    + missingIdTtl + " and " + missingCacheSize);
        }
        this.maxSchemasPerSubject = maxSchemasPerSubject;
        this.idsBySubject = Caffeine.newBuilder().maximumSize(maxSchemasPerSubject).executor(Runnable::run).build();
        this.latestBySubject = Caffeine.newBuilder().maximumSize(maxSchemasPerSubject).executor(Runnable::run)
                .build();
        this.missingIds = Caffeine.newBuilder().maximumSize(missingCacheSize)
                .expireAfterWrite(missingIdTtl).ticker(ticker).executor(Runnable::run).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsOf(subject).get(schema, unknown -> remember(delegate.register(subject, unknown), unknown));
    }

    @Override
    public int getId(String subject, Schema schema) {
        return idsOf(subject).get(schema, unknown -> remember(delegate.getId(subject, unknown), unknown));
    }

    @Override
    public Schema getSchemaById(int id) {
        Schema known = schemasById.getIfPresent(id);
        if (known != null) {
            return known;
        }
        String missing = missingIds.getIfPresent(id);
        if (missing != null) {
            throw new SchemaRegistryException(missing + " (an answer remembered for up to missing.id.cache.ttl.sec)",
                    404, SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        Unusable unusable = unusableIds.getIfPresent(id);
        if (unusable != null) {
            throw new SchemaRegistryException(unusable.message() + " (an answer remembered)", unusable.status(),
                    SchemaRegistryException.INVALID_SCHEMA);
        }
        try {
            return schemasById.get(id, delegate::getSchemaById);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() && e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                missingIds.put(id, String.valueOf(e.getMessage()));
            } else if (e.errorCode() == SchemaRegistryException.INVALID_SCHEMA
                    && !(e instanceof SchemaRegistryUnavailableException)) {
                // Not an outage, which carries the error code of the last failed answer's body, whatever it said.
                unusableIds.put(id, new Unusable(String.valueOf(e.getMessage()), e.status()));
            }
            throw e;
        }
    }

    @Override
    public SchemaMetadata getLatestSchemaMetadata(String subject) {
        return latestBySubject.get(subject, unknown -> {
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

    private Cache<Schema, Integer> idsOf(String subject) {
        return idsBySubject.get(subject, unknown -> Caffeine.newBuilder().maximumSize(maxSchemasPerSubject)
                .executor(Runnable::run).build());
    }

    // A schema this process registered or looked up is one its deserializers may meet next: knowing its id saves
    // them a request.
    private int remember(int id, Schema schema) {
        schemasById.asMap().putIfAbsent(id, schema);
        missingIds.invalidate(id);
        return id;
    }
}
