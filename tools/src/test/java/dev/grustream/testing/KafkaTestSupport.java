package dev.grustream.testing;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing observations to and reading results from a real cluster, with a given schema registry. */
public final class KafkaTestSupport {
    private final String bootstrapServers;
    private final String registryUrl;

    public KafkaTestSupport(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    /** A keyed record to produce: an observation, or raw bytes when {@code raw} is set. */
    public record Input(String key, Observation observation, byte[] raw) {
        public static Input of(String key, Observation observation) {
            return new Input(key, observation, null);
        }

        public static Input raw(String key, byte[] bytes) {
            return new Input(key, null, bytes);
        }
    }

    /**
     * Produces {@code inputs} in order (idempotent producer, acks=all) and waits until all are written; throws if one
     * was not, so that a test never goes on with records missing.
     */
    public void produce(String topic, List<Input> inputs) {
        SpecificAvroSerde<Observation> serde = serde(Observation.class);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One batch at a time: to a topic just created, the first batch can meet NOT_LEADER while later ones in
        // flight are taken, and the retried first one is then refused as out of order (seen once, records lost).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        List<Future<RecordMetadata>> sent = new ArrayList<>(inputs.size());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (Input input : inputs) {
                byte[] value = input.raw() != null || input.observation() == null
                        ? input.raw() : serde.serializer().serialize(topic, input.observation());
                // A record's timestamp can be neither negative nor far ahead of the broker's clock: an observation
                // from before 1970 or from the future is stamped now.
                long now = System.currentTimeMillis();
                long eventTime = input.observation() == null ? -1 : input.observation().getEventTime().toEpochMilli();
                long timestamp = eventTime >= 0 ? Math.min(eventTime, now) : now;
                sent.add(producer.send(new ProducerRecord<>(topic, null, timestamp, input.key(), value)));
            }
            producer.flush();
        }
        sent.forEach(KafkaTestSupport::await);
    }

    /**
     * Produces {@code inputs} in order at about 1,000 a second (100 every 100 ms), so that a fault injected meanwhile
     * lands mid-stream; returns early, with the thread's interrupt flag set, when interrupted.
     */
    public void producePaced(String topic, List<Input> inputs) {
        for (int from = 0; from < inputs.size(); from += 100) {
            produce(topic, inputs.subList(from, Math.min(inputs.size(), from + 100)));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Sends {@code records} as they are (keys and values already bytes, either may be null) with an idempotent
     * producer and acks=all, and returns where each was written, in the order given.
     */
    public List<RecordMetadata> produceRaw(List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            records.forEach(record -> sent.add(producer.send(record)));
            producer.flush();
        }
        List<RecordMetadata> written = new ArrayList<>(sent.size());
        sent.forEach(future -> written.add(await(future)));
        return written;
    }

    /** Reads every committed record of {@code topic} until {@code count} were read or {@code timeout} passed. */
    public <V> List<ConsumerRecord<String, V>> readCommitted(String topic, Deserializer<V> values, int count,
            Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // One more short poll: a test that expects exactly `count` must see any extra record too.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /**
     * Every committed record of {@code topic} now: its partitions read from the start to their last stable offsets.
     * Unlike {@link #readCommitted}, which stops at a timeout, an empty answer means the topic holds no record (for
     * a check that nothing was written, once the writers have stopped).
     */
    public <V> List<ConsumerRecord<String, V>> readAllCommitted(String topic, Deserializer<V> values) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("no topic " + topic);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + ends + " in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    public List<ConsumerRecord<String, Forecast>> forecasts(String topic, int count, Duration timeout) {
        return readCommitted(topic, serde(Forecast.class).deserializer(), count, timeout);
    }

    public List<ConsumerRecord<String, AnomalyAlert>> alerts(String topic, int count, Duration timeout) {
        return readCommitted(topic, serde(AnomalyAlert.class).deserializer(), count, timeout);
    }

    public List<ConsumerRecord<String, byte[]>> deadLetters(String topic, int count, Duration timeout) {
        return readCommitted(topic, new ByteArrayDeserializer(), count, timeout);
    }

    public <T extends SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
        return serde;
    }

    /** Waits for a future, rethrowing its failure unchecked. */
    public static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
