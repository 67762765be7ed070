package dev.grustream.service;

import dev.grustream.testing.SharedKafka;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service contract against a KRaft broker started in this JVM from Kafka's own test kit. */
@Tag("integration")
@Timeout(300)
class EmbeddedKafkaServiceIntegrationTest extends ServiceIntegrationContract {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @Override
    String bootstrapServers() {
        return KAFKA.cluster().bootstrapServers();
    }
}
