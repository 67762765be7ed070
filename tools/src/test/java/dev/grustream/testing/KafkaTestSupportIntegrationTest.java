package dev.grustream.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test harness itself: a test never goes on with records its harness failed to write. */
@Tag("integration")
class KafkaTestSupportIntegrationTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @Test
    void produceThrowsWhenARecordIsNotWritten() {
        KAFKA.cluster().createTopics(Map.of("too-large", 1));
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        // Beyond the producer's max.request.size (1 MiB by default): refused, not written.
        List<KafkaTestSupport.Input> inputs = List.of(KafkaTestSupport.Input.raw("a", new byte[2_000_000]));

        assertThatThrownBy(() -> kafka.produce("too-large", inputs))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
    }
}
