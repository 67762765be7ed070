package dev.grustream.testing;

import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The single-broker in-process Kafka cluster and the in-memory schema registry that the integration tests of one
 * test JVM share: started before the first test class that registers this extension, closed when the JVM's tests
 * end. Tests keep out of each other's way by naming their topics, subjects and application ids with a random id.
 *
 * <p>Usage: {@code @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();} then
 * {@code KAFKA.cluster()} and {@code KAFKA.registry()} from the tests. Classes that need a cluster of their own
 * (three brokers, a SASL listener) start it themselves.
 */
public final class SharedKafka implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);

    private Resources resources;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store outlives every test class and closes its AutoCloseable values when the test run ends.
        resources = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Resources.class, type -> Resources.start(), Resources.class);
    }

    public EmbeddedKafkaCluster cluster() {
        return started().cluster;
    }

    public InMemorySchemaRegistryServer registry() {
        return started().registry;
    }

    private Resources started() {
        if (resources == null) {
            throw new IllegalStateException("SharedKafka is used before JUnit started it: register it as a static"
                    + " @RegisterExtension field");
        }
        return resources;
    }

    private record Resources(EmbeddedKafkaCluster cluster, InMemorySchemaRegistryServer registry)
            implements AutoCloseable {
        static Resources start() {
            EmbeddedKafkaCluster cluster;
            try {
                cluster = EmbeddedKafkaCluster.builder().start();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start the shared Kafka cluster: " + e.getMessage(), e);
            }
            try {
                return new Resources(cluster, InMemorySchemaRegistryServer.start(0));
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }

        @Override
        public void close() {
            registry.close();
            cluster.close();
        }
    }
}
