package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.input.InboundObservation;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The checks a record meets before its key's state is read: here, how a missing event time is told apart. */
class UpFrontChecksTest {
    private static final long NOW = 1_733_220_000_000L;
    private final UpFrontChecks checks = new UpFrontChecks(ForecasterSettings.from(new GruStreamConfig(Map.of(
            "application.id", "up-front-checks-test", "bootstrap.servers", "localhost:9092"))));

    @Test
    void aRecordWithoutTimestampWhoseValueHasNoTimeIsRefusedAsHavingNone() {
        InboundObservation untimed = InboundObservation.untimed("k", Map.of("value", 1.0), new byte[1]);
        untimed.useRecordTimestamp(ConsumerRecord.NO_TIMESTAMP);

        UpFrontChecks.Rejection rejection = checks.check("k", "k", new RecordHeaders(), untimed, NOW);

        assertThat(rejection.reason()).isEqualTo(DeadLetterReason.INVALID_TIME);
        assertThat(rejection.message()).contains("the record has no timestamp").contains("input.time.field");
    }

    @Test
    void aNegativeEventTimeInTheValueIsRefusedAsBefore1970() {
        InboundObservation timed = InboundObservation.timed("k", -5, Map.of("value", 1.0), new byte[1]);
        timed.useRecordTimestamp(NOW);

        UpFrontChecks.Rejection rejection = checks.check("k", "k", new RecordHeaders(), timed, NOW);

        assertThat(rejection.reason()).isEqualTo(DeadLetterReason.INVALID_TIME);
        assertThat(rejection.message()).contains("before 1970");
    }
}
