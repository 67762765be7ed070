package dev.grustream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaStreamsKeyStateSourceTest {
    private static final long ACCEPTABLE_LAG = 100;

    @Test
    void theStoresAreCaughtUpOnceEveryPartitionHasBeenWithinTheAcceptableLag() {
        AtomicReference<long[]> lags = new AtomicReference<>(new long[] {5, 500});
        AtomicInteger checks = new AtomicInteger();
        KafkaStreamsKeyStateSource source = new KafkaStreamsKeyStateSource(null, 0, () -> {
            checks.incrementAndGet();
            return LongStream.of(lags.get());
        }, ACCEPTABLE_LAG);
        assertThat(source.caughtUp()).as("before the client ran").isFalse();
        assertThat(checks).as("nothing measured before the client ran").hasValue(0);

        source.onStateChange(KafkaStreams.State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(checks.get()).isPositive());
        assertThat(source.caughtUp()).as("one partition 500 records behind").isFalse();

        lags.set(new long[] {5, ACCEPTABLE_LAG});
        await().atMost(Duration.ofSeconds(10)).until(source::caughtUp);
        int checked = checks.get();
        lags.set(new long[] {5_000});

        assertThat(source.caughtUp()).as("once caught up, for good").isTrue();
        assertThat(checks).as("nothing measured once caught up").hasValue(checked);
    }

    @Test
    void hasRunOnlyOnceTheClientReachedRunningAndForEverAfter() {
        // Only the state listener is exercised: the client itself is never read.
        KafkaStreamsKeyStateSource source = new KafkaStreamsKeyStateSource(null, 0, ACCEPTABLE_LAG);
        source.onStateChange(KafkaStreams.State.REBALANCING);
        assertThat(source.hasRun()).isFalse();

        source.onStateChange(KafkaStreams.State.RUNNING);
        source.onStateChange(KafkaStreams.State.REBALANCING);

        assertThat(source.hasRun()).isTrue();
    }

    @Test
    void aClientThatHasStoppedSaysItsStoresAreUnavailableForEveryRead(@TempDir Path stateDir) {
        KafkaStreams streams = new KafkaStreams(topology(), properties(stateDir));
        streams.close();
        KafkaStreamsKeyStateSource stopped = new KafkaStreamsKeyStateSource(streams, 0, ACCEPTABLE_LAG);

        assertThatThrownBy(() -> stopped.get("k")).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(() -> stopped.keys(10, 1 << 20)).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(stopped::approximateCount).isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void aRunningClientWhoseThreadsRunWithoutActiveTasksStoresNoKeys(@TempDir Path stateDir) {
        try (KafkaStreams streams = runningWith(stateDir, thread("RUNNING"))) {
            assertThat(new KafkaStreamsKeyStateSource(streams, 0, ACCEPTABLE_LAG).approximateCount()).isZero();
        }
    }

    @Test
    void aRunningClientWhoseThreadsRunOnlyTasksOfAnotherSubtopologyStoresNoKeys(@TempDir Path stateDir) {
        // With input.repartition: the observations' source runs in subtopology 0, the store in subtopology 1.
        try (KafkaStreams streams = runningWith(stateDir, thread("RUNNING", new TaskId(0, 0)))) {
            assertThat(new KafkaStreamsKeyStateSource(streams, 1, ACCEPTABLE_LAG).approximateCount()).isZero();
        }
    }

    @Test
    void aThreadStillStartingSaysNothingOfTheKeysStored(@TempDir Path stateDir) {
        // A thread replacing a failed one has no tasks until it has joined the group: the stores are not read.
        try (KafkaStreams streams = runningWith(stateDir, thread("RUNNING"), thread("CREATED"))) {
            KafkaStreamsKeyStateSource source = new KafkaStreamsKeyStateSource(streams, 0, ACCEPTABLE_LAG);

            assertThatThrownBy(source::approximateCount).isInstanceOf(InvalidStateStoreException.class);
        }
    }

    /**
     * A client that was never started (its stores cannot be read) but says it runs, with {@code localThreads}. Kafka
     * Streams' own types are stood in for by hand: these two methods are all the source reads first.
     */
    private static KafkaStreams runningWith(Path stateDir, ThreadMetadata... localThreads) {
        return new KafkaStreams(topology(), properties(stateDir)) {
            @Override
            public State state() {
                return State.RUNNING;
            }

            @Override
            public Set<ThreadMetadata> metadataForLocalThreads() {
                return Set.of(localThreads);
            }
        };
    }

    private static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("observations");
        return builder.build();
    }

    /** The settings of a client that is never started, so never connected: nothing listens at its brokers. */
    private static Properties properties(Path stateDir) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "key-state-source-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return properties;
    }

    /** A stream thread's metadata, in {@code state}, with active tasks of ids {@code tasks}. */
    private static ThreadMetadata thread(String state, TaskId... tasks) {
        Set<TaskMetadata> active = Stream.of(tasks).map(KafkaStreamsKeyStateSourceTest::task)
                .collect(Collectors.toSet());
        return new ThreadMetadata() {
            @Override
            public String threadState() {
                return state;
            }

            @Override
            public String threadName() {
                return "thread-" + state;
            }

            @Override
            public Set<TaskMetadata> activeTasks() {
                return active;
            }

            @Override
            public Set<TaskMetadata> standbyTasks() {
                return Set.of();
            }

            @Override
            public String consumerClientId() {
                return "consumer";
            }

            @Override
            public String restoreConsumerClientId() {
                return "restore-consumer";
            }

            @Override
            public Set<String> producerClientIds() {
                return Set.of();
            }

            @Override
            public String adminClientId() {
                return "admin";
            }
        };
    }

    /** A task's metadata: its id, nothing read. */
    private static TaskMetadata task(TaskId id) {
        return new TaskMetadata() {
            @Override
            public TaskId taskId() {
                return id;
            }

            @Override
            public Set<TopicPartition> topicPartitions() {
                return Set.of();
            }

            @Override
            public Map<TopicPartition, Long> committedOffsets() {
                return Map.of();
            }

            @Override
            public Map<TopicPartition, Long> endOffsets() {
                return Map.of();
            }

            @Override
            public Optional<Long> timeCurrentIdlingStarted() {
                return Optional.empty();
            }
        };
    }
}
