package dev.grustream.service;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The service contract against Kafka in a container ({@code apache/kafka}), where a Docker engine exists; skipped
 * cleanly where none does.
 */
@Tag("integration")
@Timeout(600)
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaServiceIntegrationTest extends ServiceIntegrationContract {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
