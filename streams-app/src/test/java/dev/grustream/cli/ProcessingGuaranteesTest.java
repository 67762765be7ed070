package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProcessingGuaranteesTest {
    @Test
    void acceptsDashesAndUnderscoresInAnyCase() {
        assertThat(ProcessingGuarantees.parse("exactly-once-v2")).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(ProcessingGuarantees.parse("AT_LEAST_ONCE")).isEqualTo(StreamsConfig.AT_LEAST_ONCE);
    }

    @Test
    void rejectsOtherGuaranteesNamingTheOption() {
        assertThatThrownBy(() -> ProcessingGuarantees.parse("exactly-once"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--guarantee must be at-least-once or exactly-once-v2, found exactly-once");
    }
}
