package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;
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
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {
    /** A registry that holds a record schema for every id and counts the schemas it was asked for. */
    private static final class CountingRegistry implements SchemaRegistryClient {
        final AtomicInteger fetches = new AtomicInteger();
        /** Holds every fetch until it opens, as a slow registry would. */
        final CountDownLatch open;

        CountingRegistry() {
            this(0);
        }

        CountingRegistry(int closedUntilCountedDown) {
            open = new CountDownLatch(closedUntilCountedDown);
        }

        @Override
        public Schema getSchemaById(int id) {
            fetches.incrementAndGet();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return SchemaBuilder.record("R" + id).fields().requiredLong("v").endRecord();
        }

        @Override
        public int register(String subject, Schema schema) {
            throw new UnsupportedOperationException();
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

    @Test
    void aSchemaIdMetAgainIsNotFetchedAgain() {
        CountingRegistry registry = new CountingRegistry();
        CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(registry, 10);

        client.getSchemaById(7);
        client.getSchemaById(7);

        assertThat(registry.fetches).hasValue(1);
    }

    @Test
    void concurrentFirstCallsForAnIdFetchItOnce() throws Exception {
        CountingRegistry registry = new CountingRegistry(1);
        CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(registry, 10);
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

    private static boolean waitsInsideTheClient(Thread thread) {
        return thread.getState() != Thread.State.RUNNABLE && Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(CachingSchemaRegistryClient.class.getName()));
    }

    @Test
    void keepsAtMostItsBoundOfSchemasById() {
        CountingRegistry registry = new CountingRegistry();
        CachingSchemaRegistryClient client = new CachingSchemaRegistryClient(registry, 10);
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
}
