package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class InputOriginTest {
    private static final String REPARTITION = "app-" + GruStreamTopology.REPARTITION_TOPIC;
    private static final byte[] SERIES = "web-1".getBytes(StandardCharsets.UTF_8);

    private static Headers carrying(long timestamp, String topic, int partition, long offset, byte[] key) {
        Headers headers = new RecordHeaders().add("trace", new byte[] {1});
        InputOrigin.addTimestampTo(headers, timestamp);
        InputOrigin.addSourceTo(headers, topic, partition, offset, key);
        return headers;
    }

    @Test
    void aRecordReadAgainFromTheRepartitionTopicComesFromTheInputRecordItsHeadersName() {
        byte[] ownKey = {(byte) 0xff, 0, 7};

        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, SERIES,
                carrying(123, "métriques", 2, 1234, ownKey));

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp, InputOrigin::key).containsExactly("métriques", 2, 1234L, 123L, ownKey);
        assertThat(origin.headers().toArray()).extracting(header -> header.key()).containsExactly("trace");
    }

    @Test
    void anInputRecordWithoutAKeyHasNoneAfterTheRepartition() {
        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, SERIES, carrying(123, "observations", 2, 1234,
                null));

        assertThat(origin.key()).isNull();
    }

    @Test
    void headersOfTheSameNameOnARecordReadFromAnotherTopicAreTheUsersAndKept() {
        InputOrigin origin = InputOrigin.of("observations", 1, 5, 999, SERIES,
                carrying(123, "elsewhere", 2, 1234, new byte[] {1}));

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp, InputOrigin::key).containsExactly("observations", 1, 5L, 999L, SERIES);
        assertThat(origin.headers().toArray()).hasSize(4);
    }

    @Test
    void theInputsOwnHeadersOfTheSameNamesAreKeptAfterTheRepartition() {
        Headers headers = new RecordHeaders().add(InputOrigin.KEY_HEADER, new byte[] {9});
        InputOrigin.addTimestampTo(headers, 123);
        InputOrigin.addSourceTo(headers, "observations", 2, 1234, null);

        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, SERIES, headers);

        assertThat(origin.key()).isNull();
        assertThat(origin.headers().toArray()).singleElement().satisfies(header -> {
            assertThat(header.key()).isEqualTo(InputOrigin.KEY_HEADER);
            assertThat(header.value()).containsExactly(9);
        });
    }

    @Test
    void aRecordOfTheRepartitionTopicWithoutTheHeadersComesFromWhereItWasRead() {
        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, SERIES, new RecordHeaders());

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp, InputOrigin::key).containsExactly(REPARTITION, 0, 7L, 999L, SERIES);
    }

    @Test
    void aRecordTheReleaseBeforeWroteCarriesOnlyItsTimestampAndComesOtherwiseFromWhereItWasRead() {
        Headers headers = new RecordHeaders();
        InputOrigin.addTimestampTo(headers, 123);

        InputOrigin origin = InputOrigin.of(REPARTITION, 0, 7, 999, SERIES, headers);

        assertThat(origin).extracting(InputOrigin::topic, InputOrigin::partition, InputOrigin::offset,
                InputOrigin::timestamp, InputOrigin::key).containsExactly(REPARTITION, 0, 7L, 123L, SERIES);
        assertThat(origin.headers().toArray()).isEmpty();
    }

    @Test
    void theRecordsOwnHeadersAreLeftAsTheyAre() {
        Headers headers = carrying(123, "observations", 2, 1234, null);

        InputOrigin.of(REPARTITION, 0, 7, 999, SERIES, headers);

        assertThat(headers.toArray()).hasSize(4);
    }
}
