package dev.grustream.service;

import dev.grustream.embedded.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/** The service contract against a KRaft broker started in this JVM from Kafka's own test kit. */
@Tag("integration")
@Timeout(300)
class EmbeddedKafkaServiceIntegrationTest extends ServiceIntegrationContract {
    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EmbeddedKafkaCluster.builder().start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    String bootstrapServers() {
        return cluster.bootstrapServers();
    }
}
