package dev.grustream.embedded;

import dev.grustream.avro.Observation;
import dev.grustream.service.ClientSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces {@link SyntheticSeries} points as Observation records at a steady rate, with the wall clock as event
 * time (strictly increasing per key), until stopped. It can remember each key's last values and the anomalies it
 * injected, so that a viewer can show actual against forecast and tell injected anomalies from false alarms.
 *
 * <p>Lifecycle: {@link #start()} runs the producer loop on its own thread until {@link #close()} stops it and
 * flushes, or until a record cannot be sent ({@link #failure()}).
 * The query methods are thread-safe.
 */
public final class ObservationGenerator implements AutoCloseable {
    /** The one feature its observations carry. */
    public static final String FEATURE = "value";

    private static final Logger LOG = LoggerFactory.getLogger(ObservationGenerator.class);
    private final SyntheticSeries series;
    private final String topic;
    private final double ratePerSecond;
    private final KafkaProducer<String, Observation> producer;
    private final Clock clock;
    private final int rememberedPerKey;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();
    private final Map<String, Long> lastTimeByKey = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, SyntheticSeries.Point>> recentByKey = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Exception failure;

    /**
     * @param producerConfig producer settings (bootstrap servers, security); acks=all and idempotence are added
     * @param values serializer of Observation values (configured for the registry)
     * @param rememberedPerKey how many of each key's last points {@link #sentAt} finds: 0 for none, where nothing
     *     views them (a load test of many keys would otherwise keep about 100 bytes per point)
     */
    public ObservationGenerator(SyntheticSeries series, String topic, double ratePerSecond,
            Map<String, Object> producerConfig, Serializer<Observation> values, Clock clock, int rememberedPerKey) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("ratePerSecond must be positive, found " + ratePerSecond);
        }
        this.series = series;
        this.topic = topic;
        this.ratePerSecond = ratePerSecond;
        this.clock = clock;
        this.rememberedPerKey = rememberedPerKey;
        Properties props = new Properties();
        props.putAll(producerConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = ClientSettings.create(() -> new KafkaProducer<>(props, new StringSerializer(), values));
        this.thread = new Thread(this::produce, "observation-generator");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void produce() {
        long intervalNanos = (long) (1e9 / ratePerSecond);
        long next = System.nanoTime();
        try {
            while (running) {
                SyntheticSeries.Point point = series.next();
                long now = clock.millis();
                long eventTime = lastTimeByKey.merge(point.key(), now, (last, current) -> Math.max(last + 1, current));
                send(point, eventTime);
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -1_000_000_000L) {
                    next = System.nanoTime();
                }
            }
        } catch (RuntimeException e) {
            stop(e);
        }
    }

    private void send(SyntheticSeries.Point point, long eventTime) {
        Observation observation = Observation.newBuilder()
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setFeatures(Map.of(FEATURE, point.value()))
                .setSource(point.anomaly() == null
                        ? Map.of("generator", "gru-stream demo")
                        : Map.of("generator", "gru-stream demo", "injected", point.anomaly()))
                .build();
        // The producer reports most failures through the callback, not by throwing: one that gave up on a record.
        producer.send(new ProducerRecord<>(topic, null, eventTime, point.key(), observation), (metadata, error) -> {
            if (error != null) {
                stop(error);
            } else {
                sent.incrementAndGet();
            }
        });
        if (point.anomaly() != null) {
            injected.incrementAndGet();
        }
        if (rememberedPerKey > 0) {
            remember(point.key(), new SyntheticSeries.Point(point.key(), eventTime, point.value(), point.anomaly()));
        }
    }

    private void remember(String key, SyntheticSeries.Point point) {
        Map<Long, SyntheticSeries.Point> recent = recentByKey.computeIfAbsent(key,
                k -> java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, SyntheticSeries.Point> eldest) {
                        return size() > rememberedPerKey;
                    }
                }));
        recent.put(point.eventTime(), point);
    }

    /** The point sent for {@code key} at {@code eventTime}, if it is among the last ones remembered. */
    public SyntheticSeries.Point sentAt(String key, long eventTime) {
        Map<Long, SyntheticSeries.Point> recent = recentByKey.get(key);
        return recent == null ? null : recent.get(eventTime);
    }

    /** Records the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    private synchronized void stop(Exception error) {
        if (failure == null) {
            LOG.error("The observation generator stopped: a record could not be sent", error);
            failure = error;
        }
        running = false;
    }

    /** Why the generator stopped by itself (a record the producer could not send), if it did. */
    public Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    public long injectedAnomalies() {
        return injected.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
