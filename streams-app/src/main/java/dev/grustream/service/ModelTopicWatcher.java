package dev.grustream.service;

import dev.grustream.config.OperatorException;
import dev.grustream.http.ModelStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic and offers every model published there to a {@link ModelSwitch}: how an operator rolls
 * out a new model to every instance without a restart.
 *
 * <p>Why a compacted topic rather than a watched file: every instance reads the same records in the same order, so
 * all of them take the same decisions without a shared file system (containers, several hosts); a publication is
 * one atomic record, never a half-written file; an instance that starts or restarts later replays the topic and
 * serves what the others serve; and the topic keeps the history of what was published. The costs: models travel
 * through Kafka, so a topic's {@code max.message.bytes} must fit them ({@code model.topic.max.bytes}, 16 MiB by
 * default), and publishing needs a Kafka client ({@code gru-stream model publish}).
 *
 * <p>Each instance reads the whole topic with its own consumer (no group, no committed offsets): {@link #catchUp}
 * replays it from the beginning before processing starts, then {@link #start} follows it on a daemon thread. A
 * record whose key is not the followed name ({@code model.name}, when set) is skipped; a tombstone is ignored (the
 * serving model stays) with a warning, since instances that start once compaction has removed the name's records
 * serve another model. A model this instance could not load for a reason of its own (its temporary directory full,
 * say: {@link ModelSwitch.Outcome#DEFERRED}) is offered again every {@link #DEFERRED_RETRY} until it loads or a later
 * record is offered in its place, so that the instance does not stay on the old model while the others move on.
 *
 * <p>Lifecycle: create, {@link #catchUp}, {@link #start}, {@link #close}. Thread-safe.
 */
public final class ModelTopicWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelTopicWatcher.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a model this instance could not load waits before it is offered again. */
    static final Duration DEFERRED_RETRY = Duration.ofSeconds(5);

    private final String topic;
    private final String followName;
    private final ModelSwitch models;
    private final Consumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean closed;
    /**
     * The partitions records of the followed name came from; read by the thread that owns the consumer (the caller
     * of {@link #catchUp}, then the follower it starts).
     */
    private final Set<Integer> followedNameIn = new HashSet<>();
    /** Set while {@link #catchUp} reads on the caller's thread, which then owns the consumer. Guarded by this. */
    private boolean catchingUp;
    /**
     * The last model offered, when this instance could not load it for a reason of its own: offered again every
     * {@link #DEFERRED_RETRY} until it loads or a later record is offered in its place. Guarded by this.
     */
    private Deferred deferred;

    /** A model zip to offer again, from {@code source}, once {@link System#nanoTime()} reaches {@code dueNanos}. */
    private record Deferred(byte[] zip, String name, String source, long dueNanos) {
        /** This offer, due again {@link #DEFERRED_RETRY} after {@code nowNanos}. */
        Deferred retriedAfter(long nowNanos) {
            return new Deferred(zip, name, source, nowNanos + DEFERRED_RETRY.toNanos());
        }
    }

    /**
     * Creates a watcher of {@code topic}.
     *
     * @param clientConfig the service's settings; the consumer's ({@link ClientSettings#consumer}) reach the
     *     consumer, whose group, client id, commits and starting point are set here
     * @param followName the model name (record key) to follow, or empty to follow every name
     */
    public ModelTopicWatcher(Map<String, Object> clientConfig, String topic, String followName, ModelSwitch models,
            String clientId) {
        this(consumer(clientConfig, clientId), topic, followName, models, clientId);
    }

    /** A watcher reading through {@code consumer}, which it closes. */
    ModelTopicWatcher(Consumer<String, byte[]> consumer, String topic, String followName, ModelSwitch models,
            String clientId) {
        this.topic = topic;
        this.followName = followName;
        this.models = models;
        this.consumer = consumer;
        this.thread = new Thread(this::follow, clientId);
        this.thread.setDaemon(true);
    }

    private static Consumer<String, byte[]> consumer(Map<String, Object> clientConfig, String clientId) {
        Map<String, Object> props = ClientSettings.consumer(clientConfig);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A models topic deleted or not yet created must be reported, not created by the lookups with the broker's
        // defaults (deletion after a week, 1 MiB records), which most brokers allow.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return ClientSettings.create(() -> new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer()));
    }

    /**
     * Reads the topic from its beginning to its present end, offering each model in order, so that this instance
     * starts with the model the others serve.
     *
     * @throws OperatorException if the topic does not exist or cannot be read within {@code timeout}, or if
     *     {@link #close()} is called meanwhile
     */
    public void catchUp(Duration timeout) {
        synchronized (this) {
            // Under close()'s lock: a closed watcher's consumer is closed, or being closed, by close() itself.
            if (closed) {
                throw new OperatorException("Stopped before reading the models topic " + topic);
            }
            catchingUp = true;
        }
        models.replaying(true);
        try {
            readToTheEnd(timeout);
        } catch (WakeupException e) {
            throw new OperatorException("Stopped while reading the models topic " + topic, e);
        } catch (InterruptException e) {
            throw e;
        } catch (TimeoutException e) {
            throw new OperatorException("Could not read the models topic " + topic + " to its end within "
                    + timeout.toMillis() + " ms (model.topic.catchup.timeout.ms): " + e.getMessage(), e);
        } catch (KafkaException e) {
            // Not a fault of gru-stream: most often a principal that may describe the topic but not read it, or a
            // partition without a leader.
            throw new OperatorException("Could not read the models topic " + topic + ": " + e + ". Check that this"
                    + " client may read it (its principal's READ and DESCRIBE permissions) and that its partitions"
                    + " have leaders", e);
        } finally {
            models.replaying(false);
            boolean stopped;
            synchronized (this) {
                catchingUp = false;
                stopped = closed;
            }
            if (stopped) {
                // close() came from another thread while this one read (a stop during start-up) and left the
                // consumer to it.
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            }
        }
    }

    private void readToTheEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> assigned = partitions(deadline);
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        // Every call within the one deadline, so that the catch-up as a whole keeps to its timeout.
        Map<TopicPartition, Long> end = offsets(consumer.endOffsets(assigned, left(deadline)), assigned, timeout);
        if (assigned.size() > 1 && followName.isEmpty()) {
            checkOnePartitionHoldsModels(assigned, end, deadline, timeout);
        }
        int read = 0;
        while (!reached(end, deadline)) {
            if (System.nanoTime() > deadline) {
                // Each model is loaded and stepped once as it is read: many or large models published since the
                // topic was last compacted take time of their own, which the message must not blame on Kafka.
                throw new OperatorException("Could not read the models topic " + topic + " to its end within "
                        + timeout.toMillis() + " ms (model.topic.catchup.timeout.ms): " + read + " of its records"
                        + " read so far, each model loaded and checked as it is read. If the topic holds many or"
                        + " large models (it keeps every publication until compaction), raise"
                        + " model.topic.catchup.timeout.ms");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                handle(record);
                read++;
            }
        }
        ModelStatus.Snapshot serving = models.snapshot();
        LOG.info("Read {} records of the models topic {}; serving {}/{} from {}", read, topic,
                serving.active().spec().name(), serving.active().spec().version(), serving.source());
        if (followedNameIn.size() > 1) {
            // Compaction keeps a name's newest record in each partition: after partitions were added, the name's
            // older model stays in the partition it went to before, and whichever is read last is served.
            LOG.warn("The models topic {} holds model {} in partitions {}: a starting instance serves the one it"
                    + " reads last, which need not be the newest; delete the records of the partitions the name no"
                    + " longer goes to (kafka-delete-records)", topic, followName,
                    followedNameIn.stream().sorted().toList());
        }
    }

    /**
     * With every name followed, refuses a topic whose models lie in several partitions: one name's records share a
     * partition and keep their order, but records of several names across partitions reach each instance in another
     * order, and the last one read is the one served, so instances could serve different models.
     */
    private void checkOnePartitionHoldsModels(List<TopicPartition> assigned, Map<TopicPartition, Long> end,
            long deadline, Duration timeout) {
        Map<TopicPartition, Long> beginning = offsets(consumer.beginningOffsets(assigned, left(deadline)), assigned,
                timeout);
        long holding = assigned.stream().filter(partition -> end.get(partition) > beginning.get(partition)).count();
        if (holding > 1) {
            throw new OperatorException("The models topic " + topic + " holds models in " + holding + " of its "
                    + assigned.size() + " partitions and model.name is not set: instances could serve different"
                    + " models. Set model.name to the one to follow, or use a topic of one partition (model publish"
                    + " --create-topic creates one; a partition holding only stray records or tombstones counts until"
                    + " kafka-delete-records empties it)");
        }
        LOG.warn("The models topic {} has {} partitions and model.name is not set: models published under several"
                + " names could reach instances in different orders; set model.name, or use a topic of one partition",
                topic, assigned.size());
    }

    /** The topic's partitions, waiting for a topic created a moment ago to reach this client's metadata. */
    private List<TopicPartition> partitions(long deadline) {
        while (true) {
            List<PartitionInfo> partitions;
            try {
                partitions = consumer.partitionsFor(topic, POLL);
            } catch (TimeoutException e) {
                partitions = null; // No broker answered within POLL: ask again until the deadline.
            }
            if (partitions != null && !partitions.isEmpty()) {
                return partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new OperatorException("The models topic " + topic + " does not exist or no broker answered"
                        + " within model.topic.catchup.timeout.ms; create it (model publish --create-topic, or an"
                        + " instance started with --create-topics)");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperatorException("Interrupted while looking for the models topic " + topic, e);
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end, long deadline) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), left(deadline)) >= e.getValue());
    }

    /**
     * The time left until {@code deadline}, a {@link System#nanoTime()}, and at least a millisecond: given none, the
     * consumer's offset lookups answer with an empty map instead of a {@link TimeoutException}.
     */
    private static Duration left(long deadline) {
        return Duration.ofMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }

    /** {@code offsets}, checked to hold every partition of {@code assigned}: a lookup may give up with some missing. */
    private Map<TopicPartition, Long> offsets(Map<TopicPartition, Long> offsets, List<TopicPartition> assigned,
            Duration timeout) {
        if (!offsets.keySet().containsAll(assigned)) {
            throw new OperatorException("Could not read the offsets of the models topic " + topic + " within "
                    + timeout.toMillis() + " ms (model.topic.catchup.timeout.ms)");
        }
        return offsets;
    }

    /**
     * Adds partitions created since the topic was assigned, read from their beginning: a name whose records the
     * producer's partitioner now puts there would otherwise not reach this instance until it restarts. The consumer
     * learns of them with its metadata ({@code metadata.max.age.ms}, 5 minutes by default); the lookup answers from
     * that metadata.
     */
    private void readNewPartitions() {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, POLL);
        Set<TopicPartition> all = new HashSet<>(consumer.assignment());
        List<TopicPartition> added = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                .filter(all::add).toList();
        if (added.isEmpty()) {
            return;
        }
        consumer.assign(all);
        consumer.seekToBeginning(added);
        LOG.info("The models topic {} has new partitions {}; reading them from their beginning", topic,
                added.stream().map(TopicPartition::partition).sorted().toList());
        if (followName.isEmpty()) {
            LOG.warn("The models topic {} has {} partitions and model.name is not set: models published under several"
                    + " names could reach instances in different orders; set model.name", topic, all.size());
        }
    }

    /** Follows the topic on a daemon thread until {@link #close()}; does nothing once closed. */
    public synchronized void start() {
        if (!closed) {
            thread.start();
        }
    }

    private void follow() {
        models.following(true);
        try {
            while (!closed) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        handle(record);
                    }
                    readNewPartitions();
                    offerDeferredIfDue(System.nanoTime());
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // The consumer retries connection problems itself; what reaches here is worth a line in the
                    // log, and the next poll tries again.
                    LOG.warn("Reading the models topic {} failed: {}", topic, e.toString());
                    models.topicReadFailed(e.toString());
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } catch (RuntimeException | Error e) {
            LOG.error("Stopped following the models topic {}: models published from now on reach this instance at"
                    + " its next start", topic, e);
            throw e;
        } finally {
            models.following(false);
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        String source = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.key() == null) {
            LOG.warn("Skipping {}: a model record needs a key, the model's name", source);
            return;
        }
        if (followName.equals(record.key())) {
            followedNameIn.add(record.partition());
        }
        if (!followName.isEmpty() && !followName.equals(record.key())) {
            // At INFO: a model published under a name that differs by a letter would otherwise be skipped unseen.
            LOG.info("Skipping {}: model {} is not the followed model {} (model.name)", source, record.key(),
                    followName);
            return;
        }
        if (record.value() == null) {
            LOG.warn("Ignoring the tombstone {} of model {}: the serving model stays, but once compaction has removed"
                    + " the name's records an instance that starts serves model.path or the bundled model (or another"
                    + " name's, with model.name empty). To go back to a model, publish it again under a new version",
                    source, record.key());
            return;
        }
        offer(record.value(), record.key(), source);
    }

    /**
     * Offers a model; one this instance cannot load yet waits to be offered again, unless a later one is served (or
     * itself waits). A later one refused leaves it waiting: the other instances serve it.
     */
    private void offer(byte[] zip, String name, String source) {
        ModelSwitch.Outcome outcome = models.offer(zip, name, source);
        synchronized (this) {
            if (outcome == ModelSwitch.Outcome.DEFERRED) {
                deferred = new Deferred(zip, name, source, System.nanoTime() + DEFERRED_RETRY.toNanos());
            } else if (outcome != ModelSwitch.Outcome.REJECTED) {
                deferred = null;
            }
        }
    }

    /** The source of the model waiting to be offered again, if one is: {@code model publish} cannot check past it. */
    public synchronized Optional<String> deferredSource() {
        return deferred == null ? Optional.empty() : Optional.of(deferred.source());
    }

    /**
     * Offers the model this instance could not load again, if there is one and its wait is over at {@code nowNanos}
     * ({@link System#nanoTime()}). Called by the follower after each poll.
     */
    void offerDeferredIfDue(long nowNanos) {
        Deferred due;
        synchronized (this) {
            if (deferred == null || nowNanos - deferred.dueNanos() < 0) {
                return;
            }
            due = deferred;
        }
        ModelSwitch.Outcome outcome = models.offer(due.zip(), due.name(), due.source());
        synchronized (this) {
            // Unless a later record was offered meanwhile, which decided for itself.
            if (deferred == due) {
                deferred = outcome == ModelSwitch.Outcome.DEFERRED ? due.retriedAfter(nowNanos) : null;
            }
        }
    }

    /** Stops following and closes the consumer. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (catchingUp) {
                // The consumer is in use by the thread catching up; waking it is the one call that is safe from here.
                consumer.wakeup();
                return;
            }
            if (thread.getState() == Thread.State.NEW) {
                // Never started, and now never will: the consumer is this thread's to close.
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
                return;
            }
        }
        if (!thread.isAlive()) {
            return; // Following ended, and closed the consumer as it did.
        }
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
