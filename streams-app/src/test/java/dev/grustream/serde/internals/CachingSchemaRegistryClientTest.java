package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {
    /** A registry that holds a record schema for every id and counts the schemas it was asked for. */
    private static final class CountingRegistry implements SchemaRegistryClient {
        final AtomicInteger fetches = new AtomicInteger();
        /** Holds every fetch until it opens, as a slow registry would. */
        final CountDownLatch open;
        /** When set, what every fetch throws instead of answering. */
        volatile SchemaRegistryException failure;

        CountingRegistry() {
            this(0);
        }

        CountingRegistry(int closedUntilCountedDown) {
            open = new CountDownLatch(closedUntilCountedDown);
        }

        @Override
        public Schema getSchemaById(int id) {
            fetches.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return SchemaBuilder.record("R" + id).fields().requiredLong("v").endRecord();
        }

        /** Registers every schema under id 9. */
        @Override
        public int register(String subject, Schema schema) {
            return 9;
        }

        @Override
        public int getId(String subject, Schema schema) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SchemaMetadata getLatestSchemaMetadata(String subject) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean testCompatibility(String subject, Schema schema) {
            throw new UnsupportedOperationException();
        }
    }

    private static final SchemaRegistryException UNKNOWN_ID = new SchemaRegistryException("Schema 9 not found", 404,
            SchemaRegistryException.SCHEMA_NOT_FOUND);

    private final AtomicLong nanos = new AtomicLong();

    /** A client that remembers no unknown id. */
    private static CachingSchemaRegistryClient caching(CountingRegistry registry) {
        return new CachingSchemaRegistryClient(registry, 10, Duration.ZERO, 0);
    }

    /** A client that remembers unknown ids for a minute of {@link #nanos}. */
    private CachingSchemaRegistryClient rememberingUnknownIds(CountingRegistry registry) {
        return new CachingSchemaRegistryClient(registry, 10, Duration.ofMinutes(1), 100, nanos::get);
    }

    @Test
    void aSchemaIdMetAgainIsNotFetchedAgain() {
        CountingRegistry registry = new CountingRegistry();
        CachingSchemaRegistryClient client = caching(registry);

        client.getSchemaById(7);
        client.getSchemaById(7);

        assertThat(registry.fetches).hasValue(1);
    }

    @Test
    void concurrentFirstCallsForAnIdFetchItOnce() throws Exception {
        CountingRegistry registry = new CountingRegistry(1);
        CachingSchemaRegistryClient client = caching(registry);
        List<Thread> callers = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task);
            callers.add(thread);
            return thread;
        });
        try {
            List<Future<Schema>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(threads.submit(() -> client.getSchemaById(7)));
            }
            // The first fetch is held open until all four calls are inside the client, waiting.
            await().atMost(Duration.ofSeconds(10)).until(() -> callers.size() == 4
                    && callers.stream().allMatch(CachingSchemaRegistryClientTest::waitsInsideTheClient));
            registry.open.countDown();
            for (Future<Schema> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).getName()).isEqualTo("R7");
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(registry.fetches).hasValue(1);
    }

    @Test
    void anIdWhoseSchemaCannotBeUsedIsNotFetchedAgain() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = new SchemaRegistryException("schema id 7 is a PROTOBUF schema; only AVRO is supported", 200,
                SchemaRegistryException.INVALID_SCHEMA);
        CachingSchemaRegistryClient client = caching(registry);

        assertThatThrownBy(() -> client.getSchemaById(7)).isSameAs(registry.failure);
        assertThatThrownBy(() -> client.getSchemaById(7)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA))
                .hasMessageContaining("PROTOBUF");
        assertThat(registry.fetches).hasValue(1);
    }

    @Test
    void anOutageWhoseLastAnswerSaidTheSchemaCannotBeUsedIsAskedAgain() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = new SchemaRegistryUnavailableException("No Schema Registry answered GET /schemas/ids/7",
                503, SchemaRegistryException.INVALID_SCHEMA, null);
        CachingSchemaRegistryClient client = caching(registry);

        assertThatThrownBy(() -> client.getSchemaById(7)).isSameAs(registry.failure);
        registry.failure = null;

        assertThat(client.getSchemaById(7).getName()).isEqualTo("R7");
    }

    private static boolean waitsInsideTheClient(Thread thread) {
        return thread.getState() != Thread.State.RUNNABLE && Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(CachingSchemaRegistryClient.class.getName()));
    }

    @Test
    void keepsAtMostItsBoundOfSchemasById() {
        CountingRegistry registry = new CountingRegistry();
        CachingSchemaRegistryClient client = caching(registry);
        int ids = 2 * CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID;
        for (int pass = 0; pass < 2; pass++) {
            for (int id = 0; id < ids; id++) {
                client.getSchemaById(id);
            }
        }

        // Every id met once, then again: the ones no longer kept are fetched a second time.
        assertThat(registry.fetches.get() - ids)
                .isGreaterThanOrEqualTo(ids - CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID);
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsNotAskedForAgainWithinItsTtl() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = UNKNOWN_ID;
        CachingSchemaRegistryClient client = rememberingUnknownIds(registry);
        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(UNKNOWN_ID);
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());

        assertThatThrownBy(() -> client.getSchemaById(9)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> {
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                    assertThat(e).hasMessageContaining("Schema 9 not found");
                });
        assertThat(registry.fetches).hasValue(1);
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsAskedForAgainOnceItsTtlHasPassed() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = UNKNOWN_ID;
        CachingSchemaRegistryClient client = rememberingUnknownIds(registry);
        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(UNKNOWN_ID);
        registry.failure = null;
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());

        assertThat(client.getSchemaById(9).getName()).isEqualTo("R9");
        assertThat(registry.fetches).hasValue(2);
    }

    @Test
    void aSchemaRegisteredThroughTheClientIsServedThoughItsIdWasRememberedAsUnknown() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = UNKNOWN_ID;
        CachingSchemaRegistryClient client = rememberingUnknownIds(registry);
        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(UNKNOWN_ID);
        Schema schema = SchemaBuilder.record("Registered").fields().requiredLong("v").endRecord();

        client.register("subject", schema);

        assertThat(client.getSchemaById(9)).isEqualTo(schema);
    }

    @Test
    void otherRegistryErrorsAreNotRemembered() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = new SchemaRegistryException("Not Found", 404, SchemaRegistryException.NO_ERROR_CODE);
        CachingSchemaRegistryClient client = rememberingUnknownIds(registry);
        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(registry.failure);

        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(registry.failure);
        assertThat(registry.fetches).hasValue(2);
    }

    @Test
    void withAZeroTtlAnUnknownIdIsAskedForEveryTime() {
        CountingRegistry registry = new CountingRegistry();
        registry.failure = UNKNOWN_ID;
        CachingSchemaRegistryClient client = caching(registry);
        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(UNKNOWN_ID);

        assertThatThrownBy(() -> client.getSchemaById(9)).isSameAs(UNKNOWN_ID);
        assertThat(registry.fetches).hasValue(2);
    }
}
