package dev.grustream.service;

import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.forecast.Forecaster;
import dev.grustream.input.InboundObservation;
import dev.grustream.input.InputException;
import dev.grustream.input.ObservationReader;
import dev.grustream.topology.DeadLetterDeserializationHandler;
import dev.grustream.topology.DeadLetterReason;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.Topics;
import dev.grustream.topology.UpFrontChecks;
import dev.grustream.train.TrainingSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the history of an Observation topic, from its beginning (or each partition's first record stamped at or after a
 * given time) up to the offsets it had when reading started, into one {@link TrainingSeries} per key, as the service
 * would have accepted the observations: in event-time order, skipping what it would dead-letter (no key or value, too
 * large, undecodable, a time negative or beyond {@code future.tolerance.ms}, a feature missing or not finite, a time
 * repeated, or one older than the key's latest accepted time by more than {@code late.grace.ms}, judged in the order
 * read; see {@link UpFrontChecks}) and records of a blank series id, which a training series cannot be named by. Times
 * are judged per partition, as the service's tasks judge them: a series whose records lie in several partitions (a key
 * other than the series id, {@code input.key.fields}) is merged by event time afterwards, one value per instant, the
 * lowest partition's, the others counted as duplicates. Judged in the order polled across partitions, a partition read
 * after another would have had most of its records skipped as late.
 *
 * <p>Reads with the instance's own client settings (bootstrap servers, security, registry), without a consumer
 * group: it commits nothing and never disturbs the running service. A read during which no partition moves for the
 * consumer's {@code default.api.timeout.ms} (a minute by default) fails, naming the partitions it could not finish.
 * Not thread-safe; use once.
 */
public final class ObservationHistory {
    private static final Duration POLL = Duration.ofMillis(500);
    /**
     * Heap a row takes besides its values: in its key's map, the entry, the boxed event time and the values' array
     * header, about 92 bytes (estimated from the structures, not measured), and its time in its series, 8.
     */
    private static final long ROW_BYTES = 100;

    /**
     * What was read.
     *
     * @param skipped records the service would have dead-lettered, by reason
     * @param stampedBefore records after a partition's first one stamped within the time read from but stamped
     *     before it, left out (0 when the whole topic is read)
     */
    public record Read(List<TrainingSeries> series, long records, Map<String, Long> skipped, long stampedBefore) {
    }

    private ObservationHistory() {
    }

    /**
     * Reads {@code topic} with {@code config}'s settings, in its {@code input.format} and mapping as the service reads
     * it, and keeps the values of {@code features}, in that order.
     *
     * @param from when present, only the records whose timestamp is at or after it are read: each partition from its
     *     first such record (found by the brokers' time index), and later ones stamped earlier are left out too
     * @throws OperatorException when the topic does not exist or holds no record (since {@code from})
     */
    public static Read read(GruStreamConfig config, String topic, List<String> features, Optional<Instant> from) {
        Map<String, Object> consumerConfig = ClientSettings.mainConsumer(config.passThrough());
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // From the log's start even when retention moves it during the read (the default, latest, would skip the
        // rest of the partition), and never creating a mistyped topic.
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Duration patience = Duration.ofMillis(new ConsumerConfig(withDeserializers(consumerConfig))
                .getInt(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG));
        String servers = String.valueOf(consumerConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return read(config, topic, features, from, consumer, patience, servers);
        } catch (KafkaException e) {
            // Not a fault of gru-stream: servers that do not resolve, credentials or permissions refused, a registry
            // that is down or refuses the login.
            throw new OperatorException("Could not read the topic " + topic + " from " + servers + ": " + e
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), e);
        }
    }

    private static Map<String, Object> withDeserializers(Map<String, Object> consumerConfig) {
        Map<String, Object> complete = new HashMap<>(consumerConfig);
        complete.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        complete.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return complete;
    }

    /**
     * Reads {@code topic} with {@code consumer}, which it neither commits with nor closes.
     *
     * @param patience how long the read may go without any partition moving before it fails: a partition whose
     *     leader is offline would otherwise keep it polling for ever
     */
    static Read read(GruStreamConfig config, String topic, List<String> features, Optional<Instant> from,
            Consumer<byte[], byte[]> consumer, Duration patience, String servers) {
        long fromMillis = from.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        long stampedBefore = 0;
        UpFrontChecks checks = new UpFrontChecks(ForecasterSettings.from(config));
        ForecastRules rules = ForecasterSettings.rules(config);
        // Series id, then partition, then event time.
        Map<String, TreeMap<Integer, TreeMap<Long, double[]>>> byKey = new HashMap<>();
        Map<String, Long> skipped = new TreeMap<>();
        long records = 0;
        Topics topics = Topics.from(config);
        Deserializer<String> keys = topics.observationKeyDeserializer();
        try (ObservationReader reader = topics.observationReader(() -> features)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                throw new OperatorException("The topic " + topic + " does not exist on " + servers);
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(assigned);
            if (from.isPresent()) {
                seekToFirstSince(consumer, assigned, fromMillis);
            } else {
                consumer.seekToBeginning(assigned);
            }
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(assigned));
            end.entrySet().removeIf(entry -> entry.getValue() <= consumer.position(entry.getKey()));
            long toRead = 0;
            for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
                toRead += partition.getValue() - consumer.position(partition.getKey());
            }
            refuseBeyondHeap(topic, toRead, features.size(), Runtime.getRuntime().maxMemory());
            Map<TopicPartition, Long> reached = positions(consumer, end.keySet());
            long lastMove = System.nanoTime();
            while (!end.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long last = end.get(partition);
                    if (last == null || record.offset() >= last) {
                        continue;
                    }
                    if (record.timestamp() < fromMillis) {
                        stampedBefore++;
                        continue;
                    }
                    records++;
                    String reason = add(record, keys, reader, checks, rules, topic, features, byKey);
                    if (reason != null) {
                        skipped.merge(reason, 1L, Long::sum);
                    }
                }
                List<TopicPartition> finished = end.keySet().stream()
                        .filter(partition -> consumer.position(partition) >= end.get(partition)).toList();
                consumer.pause(finished);
                finished.forEach(end::remove);
                Map<TopicPartition, Long> now = positions(consumer, end.keySet());
                if (!finished.isEmpty() || !now.equals(reached)) {
                    reached = now;
                    lastMove = System.nanoTime();
                } else if (System.nanoTime() - lastMove > patience.toNanos()) {
                    throw stalled(topic, end, now, patience);
                }
            }
        } catch (TimeoutException e) {
            throw new OperatorException("Reading the topic " + topic + " from " + servers + " timed out ("
                    + e.getMessage() + "); is a partition's leader offline?", e);
        }
        if (records == 0) {
            throw new OperatorException("The topic " + topic + " holds no record to train on"
                    + from.map(time -> " stamped at or after " + time).orElse("")
                    + (stampedBefore > 0 ? " (" + stampedBefore + " stamped before it were left out)" : ""));
        }
        List<TrainingSeries> series = new ArrayList<>();
        byKey.forEach((key, partitions) -> {
            TreeMap<Long, double[]> rows = new TreeMap<>();
            partitions.values().forEach(part -> part.forEach((time, value) -> {
                if (rows.putIfAbsent(time, value) != null) {
                    skipped.merge(DeadLetterReason.DUPLICATE.code(), 1L, Long::sum);
                }
            }));
            long[] times = rows.keySet().stream().mapToLong(Long::longValue).toArray();
            double[] values = new double[times.length * features.size()];
            int row = 0;
            for (double[] value : rows.values()) {
                System.arraycopy(value, 0, values, row++ * features.size(), features.size());
            }
            series.add(TrainingSeries.of(key, times, features.size(), values));
        });
        series.sort((a, b) -> a.key().compareTo(b.key()));
        return new Read(series, records, skipped, stampedBefore);
    }

    /**
     * Moves each partition to its first record stamped at or after {@code fromMillis}, or to its end when it has
     * none: the offset Kafka's time index gives.
     */
    private static void seekToFirstSince(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            long fromMillis) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(partition -> times.put(partition, fromMillis));
        Map<TopicPartition, OffsetAndTimestamp> firsts = consumer.offsetsForTimes(times);
        List<TopicPartition> none = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp first = firsts.get(partition);
            if (first == null) {
                none.add(partition);
            } else {
                consumer.seek(partition, first.offset());
            }
        }
        if (!none.isEmpty()) {
            // An empty collection would move every assigned partition.
            consumer.seekToEnd(none);
        }
    }

    private static Map<TopicPartition, Long> positions(Consumer<byte[], byte[]> consumer,
            Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        partitions.forEach(partition -> positions.put(partition, consumer.position(partition)));
        return positions;
    }

    private static OperatorException stalled(String topic, Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> positions, Duration patience) {
        String behind = end.keySet().stream().sorted(Comparator.comparingInt(TopicPartition::partition))
                .map(partition -> "partition " + partition.partition() + " at offset " + positions.get(partition)
                        + " of " + end.get(partition))
                .collect(Collectors.joining(", "));
        return new OperatorException("Reading the topic " + topic + " made no progress for " + patience.toMillis()
                + " ms (default.api.timeout.ms): " + behind + "; is a partition's leader offline?");
    }

    /** Keeps one record's values; returns why the service would dead-letter it instead, or null. */
    private static String add(ConsumerRecord<byte[], byte[]> record, Deserializer<String> keys,
            ObservationReader reader, UpFrontChecks checks, ForecastRules rules, String topic, List<String> features,
            Map<String, TreeMap<Integer, TreeMap<Long, double[]>>> byKey) {
        String recordKey;
        try {
            recordKey = keys.deserialize(topic, record.key());
        } catch (InputException e) {
            return DeadLetterDeserializationHandler.reasonOf(e).code();
        }
        if (record.value() == null) {
            return checks.check(recordKey, recordKey, record.headers(), null, System.currentTimeMillis()).reason()
                    .code();
        }
        InboundObservation observation;
        try {
            observation = reader.deserialize(topic, record.headers(), record.value());
        } catch (InputException e) {
            return DeadLetterDeserializationHandler.reasonOf(e).code();
        } catch (RuntimeException e) {
            // A SerializationException, or whatever another library's deserializer throws, which the service
            // dead-letters as well, unless the registry is at fault.
            if (DeadLetterDeserializationHandler.registryUnreachable(e)
                    || DeadLetterDeserializationHandler.registryRefused(e)) {
                // Not the record's fault, as the service judges it: it would retry, not dead-letter the record.
                throw new OperatorException("Reading the topic " + topic + " needs the schema registry, which could"
                        + " not be used: " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), e);
            }
            return DeadLetterDeserializationHandler.reasonOf(e).code();
        }
        String key = observation.seriesKey() != null ? observation.seriesKey() : recordKey;
        observation.useRecordTimestamp(record.timestamp());
        // The service judges an event time ahead of its clock as the record arrives: the record's timestamp (by
        // default the producer's clock as it sent it, or the broker's as it appended it) stands for that clock here,
        // never later than now. Judged against today's clock, a time that was days ahead then would pass, and the
        // key's records up to it would be skipped as late.
        long now = System.currentTimeMillis();
        long arrived = record.timestamp() >= 0 ? Math.min(record.timestamp(), now) : now;
        UpFrontChecks.Rejection rejection = checks.check(key, recordKey, record.headers(), observation, arrived);
        if (rejection != null) {
            return rejection.reason().code();
        }
        if (key.isBlank()) {
            // The service forecasts such a key; a training series needs a name.
            return "blank-key";
        }
        // As the service judges a key's observations, in the order they arrive in their partition: late against its
        // latest event time beyond the grace, then a time it has, then the features.
        TreeMap<Integer, TreeMap<Long, double[]>> partitions = byKey.get(key);
        TreeMap<Long, double[]> rows = partitions == null ? null : partitions.get(record.partition());
        long eventTime = observation.eventTime();
        if (rows != null && rules.late(rows.lastKey(), eventTime)) {
            return DeadLetterReason.LATE.code();
        }
        if (rows != null && rows.containsKey(eventTime)) {
            return DeadLetterReason.DUPLICATE.code();
        }
        double[] values = new double[features.size()];
        Forecaster.FeatureRefusal refusal = Forecaster.readFeatures(features, observation.features(), values);
        if (refusal != null) {
            return DeadLetterReason.of(refusal.refusal()).code();
        }
        byKey.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(record.partition(), p -> new TreeMap<>())
                .put(eventTime, values);
        return null;
    }

    /**
     * Refuses to read {@code records} records when their rows alone could take more than three quarters of
     * {@code maxHeap}, where training, which wants almost as much again, cannot run: every row is held in a sorted map,
     * and copied into its series, before training starts, and an {@code OutOfMemoryError} after minutes of reading
     * would say less.
     *
     * @throws OperatorException saying how to read fewer records or give more heap
     */
    static void refuseBeyondHeap(String topic, long records, int features, long maxHeap) {
        long bytes = records * (ROW_BYTES + 16L * features);
        if (bytes > maxHeap / 4 * 3) {
            throw new OperatorException("Reading the " + records + " records of " + topic + " would take about "
                    + (bytes >> 20) + " MiB, more than three quarters of the " + (maxHeap >> 20)
                    + " MiB this JVM may take:"
                    + " read less of it with a later --since, or give the JVM more heap"
                    + " (GRU_STREAM_JAVA_OPTS=-Xmx...)");
        }
    }

    /** A one-line summary of the records skipped. */
    public static String describe(Map<String, Long> skipped) {
        return skipped.isEmpty() ? "none" : skipped.entrySet().stream()
                .map(entry -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining(", "));
    }
}
