package dev.grustream.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka cluster in KRaft mode running inside this JVM, built from Kafka's own test kit: what {@code demo}
 * and {@code bench} run against, and what the integration tests start instead of a Docker container.
 *
 * <p>{@code try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().start()) { kafka.bootstrapServers(); }}
 *
 * <p>Lifecycle: {@link Builder#start()} formats the storage in a temporary directory, starts every node and waits
 * until the brokers are ready (a few seconds); {@link #close()} stops them and deletes the directory, and may be
 * called more than once. Thread-safe.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final String TRANSACTION_VERSION = "transaction.version";

    /** Name of the extra listener bound to a fixed port for outside tools. */
    static final String HOST_LISTENER = "HOST";
    /** Name of the extra listener that authenticates clients with SASL/SCRAM. */
    static final String SASL_LISTENER = "SASL";
    /** Prefix of the broker settings that apply to the SASL listener alone. */
    private static final String SASL_LISTENER_SETTING = "listener.name." + SASL_LISTENER.toLowerCase(Locale.ROOT) + ".";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    private static final int SCRAM_ITERATIONS = 4096;

    private final KafkaClusterTestKit cluster;
    private final Path baseDirectory;
    private final int hostPort;
    private final boolean scram;
    private final Map<String, String> scramClientTls;
    private boolean closed;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, Path baseDirectory, int hostPort, boolean scram,
            Map<String, String> scramClientTls) {
        this.cluster = cluster;
        this.baseDirectory = baseDirectory;
        this.hostPort = hostPort;
        this.scram = scram;
        this.scramClientTls = scramClientTls;
    }

    private static void deleteQuietly(Path directory) {
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            // Left in the temporary directory; nothing depends on it.
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bootstrap servers of the cluster, for clients in this process. With a fixed {@link Builder#hostPort},
     * that port comes first.
     */
    public String bootstrapServers() {
        String servers = cluster.bootstrapServers();
        return hostPort > 0 ? "localhost:" + hostPort + "," + servers : servers;
    }

    /**
     * The bootstrap servers of the listener that requires SASL/SCRAM authentication ({@code SASL_PLAINTEXT}, or
     * {@code SASL_SSL} if built with {@link Builder#scramOverTls}; mechanisms SCRAM-SHA-256 and SCRAM-SHA-512); its
     * users are made with {@link #createScramUser}.
     *
     * @throws IllegalStateException unless the cluster was built with {@link Builder#scramListener()}
     */
    public String scramBootstrapServers() {
        if (!scram) {
            throw new IllegalStateException("the cluster has no SASL/SCRAM listener: build it with scramListener()");
        }
        ListenerName listener = ListenerName.normalised(SASL_LISTENER);
        List<String> servers = new ArrayList<>();
        cluster.brokers().values().forEach(broker -> servers.add("localhost:" + broker.boundPort(listener)));
        return String.join(",", servers);
    }

    /**
     * Creates (or replaces) a SCRAM user for both mechanisms of the SASL listener, and returns once the user can
     * authenticate there. Administration goes through the unauthenticated listener of {@link #bootstrapServers()}.
     */
    public void createScramUser(String user, String password) {
        try (Admin admin = cluster.admin()) {
            // One request per mechanism: a request may alter a user's credentials only once.
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> alteration = List.of(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password));
                admin.alterUserScramCredentials(alteration).all().get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating SCRAM user " + user, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create SCRAM user " + user + ": " + e.getMessage(), e);
        }
        awaitScramLogin(user, password);
    }

    /** The controller has the credentials at once, each broker once its metadata catches up: try until one works. */
    private void awaitScramLogin(String user, String password) {
        Map<String, Object> client = new HashMap<>(scramClientConfig(user, password));
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, scramBootstrapServers());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(client)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("SCRAM user " + user + " cannot log in after 60 s: "
                                + e.getMessage(), e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for SCRAM user " + user, e);
        }
    }

    /**
     * The client settings that log in to the SASL listener as {@code user} with SCRAM-SHA-256, over TLS if the
     * listener uses it (without the bootstrap servers).
     */
    public Map<String, String> scramClientConfig(String user, String password) {
        Map<String, String> config = new HashMap<>(scramClientTls);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, scramClientTls.isEmpty() ? "SASL_PLAINTEXT"
                : "SASL_SSL");
        config.put(SaslConfigs.SASL_MECHANISM, ScramMechanism.SCRAM_SHA_256.mechanismName());
        config.put(SaslConfigs.SASL_JAAS_CONFIG, scramJaasConfig(user, password));
        return config;
    }

    /** The {@code sasl.jaas.config} that logs in as {@code user} with SCRAM. */
    public static String scramJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Creates each topic with its number of partitions, unless it exists; replication is min(3, brokers). */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        short replication = (short) Math.min(3, cluster.brokers().size());
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, replication)));
        try (Admin admin = cluster.admin()) {
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while creating topic " + name, e);
                }
            });
        }
    }

    /** The node ids of the brokers. */
    public List<Integer> brokerIds() {
        return List.copyOf(cluster.brokers().keySet());
    }

    /** Stops one broker (a clean shutdown); the others keep serving. */
    public void stopBroker(int brokerId) {
        cluster.brokers().get(brokerId).shutdown();
    }

    /** Starts a broker stopped by {@link #stopBroker}, on the same port. */
    public void restartBroker(int brokerId) {
        cluster.brokers().get(brokerId).startup();
    }

    /** Stops every node and deletes the cluster's files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the embedded Kafka cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the embedded Kafka cluster cleanly: " + e.getMessage(), e);
        } finally {
            // The test kit deletes it after a clean stop only.
            deleteQuietly(baseDirectory);
        }
    }

    /** Describes the cluster to start. Not thread-safe. */
    public static final class Builder {
        private int brokers = 1;
        private int hostPort;
        private boolean scram;
        private final Map<String, String> scramBrokerTls = new HashMap<>();
        private final Map<String, String> scramClientTls = new HashMap<>();
        /**
         * 1 unless the system property {@code gru.embedded.transaction.version} says otherwise (tests on protocol 2).
         */
        private short transactionVersion = Integer.getInteger("gru.embedded.transaction.version", 1).shortValue();
        private final Map<String, Object> brokerConfig = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Number of brokers (default 1). With one, the broker is also the controller; with more, one extra node
         * controls.
         */
        public Builder brokers(int brokers) {
            if (brokers < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, found " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /**
         * Also listens on {@code localhost:port}, so that tools outside this process (kcat, a console consumer)
         * can reach a single-broker cluster at a known address. 0 (the default) means no fixed port.
         */
        public Builder hostPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], found " + port);
            }
            this.hostPort = port;
            return this;
        }

        /**
         * Also listens on a port that requires SASL/SCRAM authentication (SASL_PLAINTEXT, SCRAM-SHA-256 and
         * SCRAM-SHA-512; {@link #scramBootstrapServers()}), for tests of secured clients. The brokers' own listener
         * stays open, for administration and for the brokers themselves. For a single broker only.
         */
        public Builder scramListener() {
            this.scram = true;
            return this;
        }

        /**
         * As {@link #scramListener()}, over TLS ({@code SASL_SSL}): the listener presents the key and certificate of
         * the PKCS12 {@code keyStore}, and the clients of {@link #scramClientConfig} trust the certificates of the
         * PKCS12 {@code trustStore}; {@code password} opens both and the key.
         */
        public Builder scramOverTls(Path keyStore, Path trustStore, String password) {
            scramListener();
            scramBrokerTls.put(SASL_LISTENER_SETTING + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            scramBrokerTls.put(SASL_LISTENER_SETTING + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keyStore.toString());
            scramBrokerTls.put(SASL_LISTENER_SETTING + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, password);
            scramBrokerTls.put(SASL_LISTENER_SETTING + SslConfigs.SSL_KEY_PASSWORD_CONFIG, password);
            scramClientTls.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            scramClientTls.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
            scramClientTls.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, password);
            return this;
        }

        /**
         * The transaction protocol version (feature {@code transaction.version}), 1 by default. Version 2 (KIP-890,
         * the default of new Kafka 4.x clusters) made exactly-once producers of Kafka Streams 4.3.1 loop on
         * OUT_OF_ORDER_SEQUENCE_NUMBER after a CONCURRENT_TRANSACTIONS error under sustained load on this
         * in-process cluster (see docs/development.md), so the embedded cluster uses version 1.
         */
        public Builder transactionVersion(short version) {
            if (version < 0 || version > 2) {
                throw new IllegalArgumentException("transaction.version must be 0, 1 or 2, found " + version);
            }
            this.transactionVersion = version;
            return this;
        }

        /** Sets a broker configuration property on every broker. */
        public Builder brokerConfig(String key, Object value) {
            brokerConfig.put(key, value);
            return this;
        }

        /** Starts the cluster and returns once every broker is ready. */
        public EmbeddedKafkaCluster start() throws Exception {
            if ((hostPort > 0 || scram) && brokers > 1) {
                throw new IllegalArgumentException("a fixed host port or a SCRAM listener is supported for a single"
                        + " broker only");
            }
            boolean combined = brokers == 1;
            // A directory of our own: the test kit's default one comes with a JVM shutdown hook that deletes it,
            // which ran beside a stopping demo's or broker's close and failed the broker's log directory under it.
            // The test kit's close deletes it.
            Path baseDirectory = Files.createTempDirectory("gru-stream-kafka");
            try {
                return start(baseDirectory, combined);
            } catch (Exception | Error e) {
                deleteQuietly(baseDirectory);
                throw e;
            }
        }

        private EmbeddedKafkaCluster start(Path baseDirectory, boolean combined) throws Exception {
            TestKitNodes nodes = new TestKitNodes.Builder(productionMetadata())
                    .setBaseDirectory(baseDirectory)
                    .setCombined(combined)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            short replication = (short) Math.min(3, brokers);
            builder.setConfigProp("offsets.topic.replication.factor", replication);
            builder.setConfigProp("offsets.topic.num.partitions", 5);
            builder.setConfigProp("transaction.state.log.replication.factor", replication);
            builder.setConfigProp("transaction.state.log.min.isr", Math.min(2, (int) replication));
            builder.setConfigProp("transaction.state.log.num.partitions", 5);
            // With three brokers, every topic (Kafka Streams' internal ones too) survives the loss of one broker
            // without losing an acknowledged write.
            builder.setConfigProp("default.replication.factor", (int) replication);
            builder.setConfigProp("min.insync.replicas", Math.min(2, (int) replication));
            builder.setConfigProp("group.initial.rebalance.delay.ms", 0);
            builder.setConfigProp("num.partitions", 1);
            builder.setConfigProp("auto.create.topics.enable", false);
            // Tests, demos and benchmarks replay observations with past event times as record timestamps: time-based
            // retention would delete them while they are being read (the default is 7 days, checked every 5 min).
            builder.setConfigProp("log.retention.ms", -1L);
            builder.setConfigProp("unstable.api.versions.enable", false);
            builder.setConfigProp("unstable.feature.versions.enable", false);
            if (hostPort > 0 || scram) {
                extraListeners(builder, nodes);
            }
            brokerConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            try {
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
            } catch (Exception e) {
                cluster.close();
                throw e;
            }
            return new EmbeddedKafkaCluster(cluster, baseDirectory, hostPort, scram, Map.copyOf(scramClientTls));
        }

        /** Adds the fixed host port and the SCRAM listener to the brokers' own and the controller's listeners. */
        private void extraListeners(KafkaClusterTestKit.Builder builder, TestKitNodes nodes) {
            String broker = nodes.brokerListenerName().value();
            String controller = nodes.controllerListenerName().value();
            List<String> listeners = new ArrayList<>(List.of(broker + "://localhost:0", controller + "://localhost:0"));
            List<String> protocols = new ArrayList<>(List.of(broker + ":PLAINTEXT", controller + ":PLAINTEXT"));
            if (hostPort > 0) {
                listeners.add(HOST_LISTENER + "://localhost:" + hostPort);
                protocols.add(HOST_LISTENER + ":PLAINTEXT");
            }
            if (scram) {
                listeners.add(SASL_LISTENER + "://localhost:0");
                protocols.add(SASL_LISTENER + (scramBrokerTls.isEmpty() ? ":SASL_PLAINTEXT" : ":SASL_SSL"));
                scramBrokerTls.forEach(builder::setConfigProp);
                builder.setConfigProp(SASL_LISTENER_SETTING + "sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512");
                builder.setConfigProp(SASL_LISTENER_SETTING + "scram-sha-256.sasl.jaas.config", SCRAM_LOGIN);
                builder.setConfigProp(SASL_LISTENER_SETTING + "scram-sha-512.sasl.jaas.config", SCRAM_LOGIN);
            }
            builder.setConfigProp("listeners", String.join(",", listeners));
            builder.setConfigProp("listener.security.protocol.map", String.join(",", protocols));
        }

        /**
         * The metadata version and feature levels a production broker of this Kafka release starts with (the test
         * kit's default is the testing version with unstable features, which is not what users run), with the
         * transaction protocol version of {@link #transactionVersion(short)}.
         */
        private BootstrapMetadata productionMetadata() {
            MetadataVersion version = MetadataVersion.latestProduction();
            Map<String, Short> features = new TreeMap<>();
            for (Feature feature : Feature.PRODUCTION_FEATURES) {
                features.put(feature.featureName(), feature.defaultLevel(version));
            }
            features.put(TRANSACTION_VERSION, transactionVersion);
            return BootstrapMetadata.fromVersions(version, features, "gru-stream embedded cluster");
        }
    }
}
