package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class InputOriginTest {
    private static final String REPARTITION = "app-" + GruStreamTopology.REPARTITION_TOPIC;

    private static Headers carrying(long timestamp, String topic, int partition, long offset) {
        Headers headers = new RecordHeaders().add("trace", new byte[] {1});
        InputOrigin.addTimestampTo(headers, timestamp);
        InputOrigin.addSourceTo(headers, topic, partition, offset);
        return headers;
    }

    @Test
    void aRecordReadAgainFromTheRepartitionTopicComesFromTheInputRecordItsHeadersName() {
        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, carrying(123, "métriques", 2, 1234));

        assertThat(origin.topic()).isEqualTo("métriques");
        assertThat(origin.partition()).isEqualTo(2);
        assertThat(origin.offset()).isEqualTo(1234);
        assertThat(origin.timestamp()).isEqualTo(123);
        assertThat(origin.headers().toArray()).extracting(header -> header.key()).containsExactly("trace");
    }

    @Test
    void headersOfTheSameNameOnARecordReadFromAnotherTopicAreTheUsersAndKept() {
        InputOrigin origin = InputOrigin.of("observations", 1, 5, 999, carrying(123, "elsewhere", 2, 1234));

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp).containsExactly("observations", 1, 5L, 999L);
        assertThat(origin.headers().toArray()).hasSize(3);
    }

    @Test
    void aRecordOfTheRepartitionTopicWithoutTheHeadersComesFromWhereItWasRead() {
        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, new RecordHeaders());

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp).containsExactly(REPARTITION, 0, 7L, 999L);
    }

    @Test
    void theRecordsOwnHeadersAreLeftAsTheyAre() {
        Headers headers = carrying(123, "observations", 2, 1234);

        InputOrigin.of(REPARTITION, 0, 7, 999, headers);

        assertThat(headers.toArray()).hasSize(3);
    }
}
