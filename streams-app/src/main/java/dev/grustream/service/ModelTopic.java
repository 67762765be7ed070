package dev.grustream.service;

import dev.grustream.config.OperatorException;
import dev.grustream.model.GruModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The models topic ({@code model.topic}): how it is laid out and how a model is published to it.
 *
 * <p>One partition, so that publications have one order that every instance sees; compacted, so that the newest
 * model of each name stays readable forever while older ones go; {@code max.message.bytes} raised to
 * {@code model.topic.max.bytes}, because a model zip easily exceeds the brokers' default of 1 MiB. A record's key
 * is the model's name, its value the bytes of the model's zip.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelTopic {
    /** Room for the record's framing and headers on top of the zip, when sizing the producer's requests. */
    private static final int RECORD_OVERHEAD = 64 * 1024;
    /** How long the producer tries to deliver a model, unless the settings say: Kafka's default is 120 s. */
    static final int DELIVERY_TIMEOUT_MS = 60_000;

    private ModelTopic() {
    }

    /**
     * The topic as gru-stream creates it: one partition, compacted, with the given or the brokers' replication, and
     * room for a zip of {@code maxBytes} with its record's key, headers and framing, which the broker counts too;
     * with {@code durability} ({@link TopicCreation#durabilityOf}) besides.
     */
    public static NewTopic newTopic(String name, int maxBytes, Optional<Short> replicationFactor,
            Map<String, String> durability) {
        Map<String, String> settings = new HashMap<>(durability);
        settings.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        settings.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf((long) maxBytes + RECORD_OVERHEAD));
        return new NewTopic(name, Optional.of(1), replicationFactor).configs(settings);
    }

    /**
     * Why the models topic's own settings can lose its newest model, or empty if they keep it: a topic whose
     * {@code cleanup.policy} deletes by time or size (the brokers' default, {@code delete}, or {@code compact,delete})
     * removes a model once it is old enough however new it is, and an instance that starts after that serves
     * {@code model.path} or the bundled model while the running ones serve the model they read.
     *
     * @param settings the topic's configuration, as the brokers describe it
     */
    public static Optional<String> expiryRisk(String topic, Config settings) {
        String policy = value(settings, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        long retentionMs = Long.parseLong(value(settings, TopicConfig.RETENTION_MS_CONFIG, "-1"));
        long retentionBytes = Long.parseLong(value(settings, TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
        boolean deletes = List.of(policy.split(",")).stream().map(String::trim)
                .anyMatch(TopicConfig.CLEANUP_POLICY_DELETE::equals);
        if (!deletes || (retentionMs < 0 && retentionBytes < 0)) {
            return Optional.empty();
        }
        return Optional.of("The models topic " + topic + " has cleanup.policy=" + policy
                + (retentionMs >= 0 ? ", retention.ms=" + retentionMs : "")
                + (retentionBytes >= 0 ? ", retention.bytes=" + retentionBytes : "")
                + ": once retention removes its newest model, an instance that starts serves model.path or the"
                + " bundled model while the others serve that model. Set cleanup.policy=compact on it");
    }

    private static String value(Config settings, String name, String absent) {
        ConfigEntry entry = settings.get(name);
        return entry == null || entry.value() == null ? absent : entry.value();
    }

    /**
     * Checks that {@code topic} exists, creating it as {@link #newTopic} describes when {@code create} is set.
     *
     * @param clientConfig the instance's settings, of which the admin client's are used ({@link ClientSettings#admin})
     * @param replicationFactor the replicas of a topic created here; empty for the brokers' default
     * @return whether it created the topic, of one partition (false where another client created it meanwhile)
     * @throws OperatorException if it is missing and not to be created, or the brokers cannot be reached
     */
    public static boolean ensure(Map<String, Object> clientConfig, String topic, int maxBytes, boolean create,
            Optional<Short> replicationFactor) {
        Map<String, Object> props = ClientSettings.admin(clientConfig);
        try (Admin admin = ClientSettings.create(() -> Admin.create(props))) {
            if (admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                return false;
            }
            if (!create) {
                throw new OperatorException("The models topic " + topic + " does not exist; pass --create-topic,"
                        + " or start an instance with --create-topics");
            }
            admin.createTopics(List.of(newTopic(topic, maxBytes, replicationFactor,
                    TopicCreation.durabilityOf(clientConfig)))).all().get(60, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("Interrupted while checking the models topic", e);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new OperatorException("Cannot check or create the models topic " + topic + ": "
                        + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new OperatorException("The brokers at " + props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " did not answer within 60 s", e);
        }
        return false; // Created meanwhile by someone else, with partitions of their choosing.
    }

    /**
     * Refuses to publish a model named {@code name} to another partition of {@code topic} than the one that already
     * holds models: instances that follow every name ({@code model.name} empty) refuse at start a topic whose models
     * lie in several partitions, as they would read them in another order each. A topic of one partition passes.
     *
     * @param clientConfig the instance's settings, of which the admin client's are used ({@link ClientSettings#admin})
     * @throws OperatorException if the model would go to a second partition, or the brokers cannot be asked
     */
    public static void checkOnePartitionHoldsModels(Map<String, Object> clientConfig, String topic, String name) {
        try (Admin admin = ClientSettings.create(() -> Admin.create(ClientSettings.admin(clientConfig)))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            if (partitions == 1) {
                return;
            }
            // Where the producer's default partitioner puts a record keyed by the name.
            int target = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % partitions;
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
                    .get(60, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
            List<Integer> holding = ends.keySet().stream()
                    .filter(partition -> ends.get(partition).offset() > starts.get(partition).offset())
                    .map(TopicPartition::partition).sorted().toList();
            if (holding.stream().anyMatch(partition -> partition != target)) {
                throw new OperatorException("The models topic " + topic + " holds models in partition(s) " + holding
                        + " and model " + name + " would go to partition " + target + ": instances that follow every"
                        + " name (model.name empty) refuse at start a topic whose models lie in several partitions."
                        + " Publish with the model.name the instances follow, or use a topic of one partition");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("Interrupted while checking the models topic", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new OperatorException("Cannot check the partitions of the models topic " + topic + ": "
                    + (e instanceof ExecutionException ? e.getCause() : "no answer within 60 s"), e);
        }
    }

    /**
     * The bytes of a model zip: the file itself if {@code path} is a zip, or a zip of a model directory's files that
     * a model is made of, {@code model.json} and its arrays ({@code weight_*.npy}, {@code bias_*.npy},
     * {@code head_*.npy}): a training log, notes or data beside them would go to every instance's topic and memory,
     * and the loader never reads them.
     */
    public static byte[] zipOf(Path path) {
        try {
            if (!Files.isDirectory(path)) {
                return Files.readAllBytes(path);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(path)) {
                for (Path file : files.filter(Files::isRegularFile).filter(ModelTopic::isModelFile).sorted()
                        .toList()) {
                    zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                    Files.copy(file, zip);
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model at " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isModelFile(Path file) {
        String name = file.getFileName().toString();
        return name.equals("model.json") || (name.endsWith(".npy")
                && (name.startsWith("weight_") || name.startsWith("bias_") || name.startsWith("head_")));
    }

    /**
     * Checks that a model zip fits the models topic.
     *
     * @throws IllegalArgumentException if it is larger than {@code maxBytes} ({@code model.topic.max.bytes})
     */
    public static void checkSize(byte[] zip, int maxBytes) {
        if (zip.length > maxBytes) {
            throw new IllegalArgumentException("The model is " + zip.length + " bytes, more than"
                    + " model.topic.max.bytes (" + maxBytes + "); raise it (and the topic's max.message.bytes)"
                    + " to publish it");
        }
    }

    /**
     * Publishes {@code zip}, the bytes of {@code model}, to {@code topic} under the model's name, and waits until
     * the brokers have it or the producer gives up ({@link #producerSettings}).
     *
     * @param clientConfig the instance's settings, of which the producer's are used ({@link ClientSettings#producer});
     *     sizes are set here to fit the model
     * @param maxBytes the largest model accepted ({@code model.topic.max.bytes})
     * @throws IllegalArgumentException if the zip is larger than {@code maxBytes}
     * @throws IllegalStateException if the brokers refuse or cannot be reached, saying why
     */
    public static RecordMetadata publish(Map<String, Object> clientConfig, String topic, byte[] zip, GruModel model,
            int maxBytes) {
        checkSize(zip, maxBytes);
        try (KafkaProducer<String, byte[]> producer = ClientSettings.create(() -> new KafkaProducer<>(
                producerSettings(clientConfig, zip.length), new StringSerializer(), new ByteArraySerializer()))) {
            return publish(producer, topic, zip, model);
        }
    }

    /**
     * The producer's settings for publishing a zip of {@code zipBytes}: the instance's, with acknowledgement by every
     * in-sync replica, idempotence, requests and buffers sized to the zip, and, unless the settings give one, a
     * delivery timeout of {@link #DELIVERY_TIMEOUT_MS} or the least the producer accepts, {@code linger.ms} plus
     * {@code request.timeout.ms}, if that is more. {@link #publish} waits for the producer's verdict however long it
     * takes, which the delivery timeout bounds: a fixed wait shorter than it (60 s against the producer's default of
     * 120 s) reported a failure for a model the producer went on to write.
     */
    static Map<String, Object> producerSettings(Map<String, Object> clientConfig, int zipBytes) {
        Map<String, Object> props = ClientSettings.producer(clientConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, zipBytes + RECORD_OVERHEAD);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2L * (zipBytes + RECORD_OVERHEAD)));
        if (!props.containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
            long least = setting(props, ProducerConfig.LINGER_MS_CONFIG)
                    + setting(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                    Math.max(DELIVERY_TIMEOUT_MS, least)));
        }
        return props;
    }

    /** A whole-number producer setting as given, or the producer's default. */
    private static long setting(Map<String, Object> props, String name) {
        Object value = props.containsKey(name) ? props.get(name)
                : ProducerConfig.configDef().defaultValues().get(name);
        return Long.parseLong(String.valueOf(value).trim());
    }

    /** Sends the model with {@code producer} and waits for its verdict; package-private for tests. */
    static RecordMetadata publish(Producer<String, byte[]> producer, String topic, byte[] zip, GruModel model) {
        try {
            // The topic's metadata first: a send that cannot get it fails with the same TimeoutException as one whose
            // delivery expired, but nothing was sent.
            producer.partitionsFor(topic);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new OperatorException("The brokers did not describe topic " + topic + " within the producer's"
                    + " max.block.ms, so the model was not sent: " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new OperatorException("Cannot publish the model to " + topic + ", which was not sent: " + e, e);
        }
        try {
            return producer.send(new ProducerRecord<>(topic, model.spec().name(), zip)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("Interrupted while publishing the model; it may have been published", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                throw new OperatorException("The brokers refused the model (" + zip.length + " bytes) as too"
                        + " large for topic " + topic + "; raise the topic's max.message.bytes", e.getCause());
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new OperatorException("The brokers did not acknowledge the model within the producer's"
                        + " delivery.timeout.ms, so it may or may not be in " + topic + ": " + e.getCause().getMessage()
                        + ". Publishing the same model again is safe: instances that already serve it keep"
                        + " serving it", e.getCause());
            }
            throw new OperatorException("Cannot publish the model to " + topic + ": " + e.getCause(), e);
        }
    }
}
