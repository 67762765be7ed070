package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.grustream.config.OperatorException;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's lifecycle without a broker. */
class ModelTopicWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aCatchUpThatReachesNoBrokerGivesUpAtItsTimeoutNamingTheSetting() throws Exception {
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                new SimpleMeterRegistry(), Clock.systemUTC());
        // Nothing listens on port 1: the metadata requests behind the lookup of the topic never get an answer.
        try (ModelTopicWatcher watcher = new ModelTopicWatcher(Map.of("bootstrap.servers", "127.0.0.1:1"), "models",
                "", models, "watcher-test")) {
            long start = System.nanoTime();
            CompletableFuture<Void> catchUp = CompletableFuture.runAsync(
                    () -> watcher.catchUp(Duration.ofSeconds(1)));

            assertThatThrownBy(() -> catchUp.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(OperatorException.class)
                    .hasMessageContaining("does not exist or no broker answered within model.topic.catchup.timeout.ms");
            // Far beyond the second asked for, so that a slow machine passes: a catch-up that ignored the setting
            // would look for the topic for as long as the guard above allows.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void aCatchUpThatDoesNotReachTheEndInTimeSaysHowManyRecordsItRead() throws IOException {
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                new SimpleMeterRegistry(), Clock.systemUTC());
        byte[] zip = persistenceModelZip("2");
        // Five records to read, of which only two ever arrive.
        MockConsumer<String, byte[]> consumer = modelsTopicEndingAt(5);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>("models", 0, 0L, "persistence", zip));
            consumer.addRecord(new ConsumerRecord<>("models", 0, 1L, "persistence", zip));
        });

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            assertThatThrownBy(() -> watcher.catchUp(Duration.ofSeconds(1)))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("2 of its records read so far")
                    .hasMessageContaining("raise model.topic.catchup.timeout.ms");
        }
    }

    @Test
    void aStopRequestedWhileCatchingUpEndsTheCatchUpAndClosesWithoutFailing() throws Exception {
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                new SimpleMeterRegistry(), Clock.systemUTC());
        // Nothing listens on port 1: the catch-up keeps looking for the topic until its minute is up.
        ModelTopicWatcher watcher = new ModelTopicWatcher(Map.of("bootstrap.servers", "127.0.0.1:1"), "models", "",
                models, "watcher-test");
        CompletableFuture<Void> catchUp = CompletableFuture.runAsync(() -> watcher.catchUp(Duration.ofMinutes(1)));
        Thread.sleep(500);

        assertThatCode(watcher::close).doesNotThrowAnyException();

        assertThatThrownBy(() -> catchUp.get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().hasMessageStartingWith("Stopped"); // while reading; before, if the thread started late
    }

    /** A consumer of the topic "models" whose every read is refused as once the right to read it is withdrawn. */
    private static MockConsumer<String, byte[]> refusedConsumer() {
        TopicPartition partition = new TopicPartition("models", 0);
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions("models", List.of(new PartitionInfo("models", 0, null, null, null)));
        consumer.assign(List.of(partition));
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        consumer.setPollException(new TopicAuthorizationException(Set.of("models")));
        return consumer;
    }

    @Test
    void aFailedReadIsCountedAndTheWatcherFollowsOn() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(refusedConsumer(), "models", "", models,
                "watcher-test")) {
            watcher.start();

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> meters.get("gru.model.topic.errors").counter().count() == 1.0);
            assertThat(meters.get("gru.model.topic.following").gauge().value()).isEqualTo(1.0);
        }
        assertThat(meters.get("gru.model.topic.following").gauge().value()).isZero();
    }

    @Test
    void anInstanceWithoutAModelsTopicHasNoFollowingGauge() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA, meters,
                Clock.systemUTC());

        assertThat(meters.find("gru.model.topic.following").gauge()).isNull();
    }

    @Test
    void aFailedReadShowsInTheModelStatusWithItsError() {
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                new SimpleMeterRegistry(), Clock.systemUTC());

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(refusedConsumer(), "models", "", models,
                "watcher-test")) {
            watcher.start();

            await().atMost(Duration.ofSeconds(20)).until(() -> models.snapshot().lastTopicReadFailure().isPresent());
            assertThat(models.snapshot().followingTopic()).isTrue();
            assertThat(models.snapshot().lastTopicReadFailure().orElseThrow().reason())
                    .startsWith("org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access"
                            + " topics: [models]");
        }
    }

    @Test
    void aModelReplayedAsTheInstanceStartsIsServedButNotCountedAsASwap() throws IOException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());
        byte[] zip = persistenceModelZip("2");
        MockConsumer<String, byte[]> consumer = modelsTopicEndingAt(1);
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("models", 0, 0L, "persistence", zip)));

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            watcher.catchUp(Duration.ofSeconds(10));
        }

        assertThat(models.active().spec().version()).isEqualTo("2");
        assertThat(meters.get("gru.model.swaps").tag("outcome", "applied").counter().count()).isZero();
    }

    @Test
    void aModelThisInstanceCouldNotLoadIsOfferedAgainOnceItsWaitIsOver() throws IOException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());
        Path copies = dir.resolve("copies"); // not there yet: no temporary copy can be written
        models.copyZipsTo(copies);
        byte[] zip = persistenceModelZip("2");
        MockConsumer<String, byte[]> consumer = modelsTopicEndingAt(1);
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("models", 0, 0L, "persistence", zip)));

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            watcher.catchUp(Duration.ofSeconds(10));
            Files.createDirectories(copies);
            watcher.offerDeferredIfDue(System.nanoTime());
            assertThat(models.active().spec().version()).isEqualTo("1");

            watcher.offerDeferredIfDue(System.nanoTime() + ModelTopicWatcher.DEFERRED_RETRY.toNanos());
        }

        assertThat(models.active().spec().version()).isEqualTo("2");
        // Deferred as the instance replayed the topic: not counted, as no replayed offer is.
        assertThat(meters.get("gru.model.swaps").tag("outcome", "deferred").counter().count()).isZero();
        assertThat(meters.get("gru.model.swaps").tag("outcome", "rejected").counter().count()).isZero();
    }

    @Test
    void aModelThisInstanceCouldNotLoadStillWaitsAfterALaterOneIsRefused() throws IOException {
        Path copies = dir.resolve("copies");
        ModelSwitch models = servingVersionOneWithoutCopies(copies);
        MockConsumer<String, byte[]> consumer = deferredThen(persistenceModelZip("2"),
                modelZip(TestingModels.persistence("3", 1, "value", "other"), "other-features"), copies);

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            watcher.catchUp(Duration.ofSeconds(10));
            assertThat(watcher.deferredSource()).hasValue("models-0@0");

            watcher.offerDeferredIfDue(System.nanoTime() + ModelTopicWatcher.DEFERRED_RETRY.toNanos());

            assertThat(watcher.deferredSource()).isEmpty();
        }
        assertThat(models.active().spec().version()).isEqualTo("2");
    }

    @Test
    void aModelOfferedAfterOneThisInstanceCouldNotLoadTakesItsPlace() throws IOException {
        Path copies = dir.resolve("copies");
        ModelSwitch models = servingVersionOneWithoutCopies(copies);
        MockConsumer<String, byte[]> consumer = deferredThen(persistenceModelZip("2"), persistenceModelZip("3"),
                copies);

        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            watcher.catchUp(Duration.ofSeconds(10));
            watcher.offerDeferredIfDue(System.nanoTime() + ModelTopicWatcher.DEFERRED_RETRY.toNanos());
        }

        assertThat(models.active().spec().version()).isEqualTo("3");
    }

    /** A switch serving version 1 that writes its temporary copies in {@code copies}, not there yet. */
    private static ModelSwitch servingVersionOneWithoutCopies(Path copies) {
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                new SimpleMeterRegistry(), Clock.systemUTC());
        models.copyZipsTo(copies);
        return models;
    }

    /**
     * The topic "models" holding {@code first}, read while {@code copies} does not exist (so it cannot be loaded),
     * then {@code later}, read once it does.
     */
    private static MockConsumer<String, byte[]> deferredThen(byte[] first, byte[] later, Path copies) {
        MockConsumer<String, byte[]> consumer = modelsTopicEndingAt(2);
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("models", 0, 0L, "persistence",
                first)));
        consumer.schedulePollTask(() -> {
            createDirectories(copies);
            consumer.addRecord(new ConsumerRecord<>("models", 0, 1L, "persistence", later));
        });
        return consumer;
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aModelOfferedOnceTheReplayIsOverIsCounted() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ModelSwitch models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "test", Backend.JAVA,
                meters, Clock.systemUTC());
        MockConsumer<String, byte[]> consumer = modelsTopicEndingAt(0);
        try (ModelTopicWatcher watcher = new ModelTopicWatcher(consumer, "models", "", models, "watcher-test")) {
            watcher.catchUp(Duration.ofSeconds(10));
        }

        models.offer(TestingModels.persistence("2"), "models-0@0");

        assertThat(meters.get("gru.model.swaps").tag("outcome", "applied").counter().count()).isEqualTo(1.0);
    }

    /** A consumer of the topic "models", one partition from offset 0 to {@code end}, its records yet to be added. */
    private static MockConsumer<String, byte[]> modelsTopicEndingAt(long end) {
        TopicPartition partition = new TopicPartition("models", 0);
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions("models", List.of(new PartitionInfo("models", 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        consumer.updateEndOffsets(Map.of(partition, end));
        return consumer;
    }

    /** The zip that model publish sends for a persistence model of {@code version}. */
    private byte[] persistenceModelZip(String version) throws IOException {
        return modelZip(TestingModels.persistence(version), "model-" + version);
    }

    /** The zip that model publish sends for {@code model}, written in {@code name} under the test's directory. */
    private byte[] modelZip(GruModel model, String name) throws IOException {
        ModelWriter.write(model, dir.resolve(name));
        return ModelTopic.zipOf(dir.resolve(name));
    }
}
