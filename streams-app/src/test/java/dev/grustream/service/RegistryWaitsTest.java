package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.topology.GruStreamTopology;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryWaitsTest {
    private static final String THREE_REGISTRIES = "http://r1:8081,http://r2:8081,http://r3:8081";

    private static Optional<String> warning(String urls, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", "localhost:9092",
                "schema.registry.url", urls));
        settings.putAll(more);
        GruStreamConfig config = new GruStreamConfig(settings);
        return RegistryWaits.beyondPollInterval(config, GruStreamTopology.streamsProperties(config));
    }

    @Test
    void threeRegistriesThatDoNotAnswerOutlastTheDefaultPollIntervalAndTheWarningSaysWhatToChange() {
        // 3 URLs x 4 rounds x 30 s, and waits of 1, 2 and 4 s: 367 s, beyond the default 300 s.
        assertThat(warning(THREE_REGISTRIES, Map.of())).hasValueSatisfying(warning -> assertThat(warning)
                .contains("up to 367 s", "3 URL(s)", "(300 s)",
                        "Lower schema.registry.request.timeout.ms or max.retries, or raise max.poll.interval.ms"));
    }

    @Test
    void oneRegistryAtTheDefaultsStaysWithinThePollInterval() {
        assertThat(warning("http://r1:8081", Map.of())).isEmpty();
    }

    @Test
    void aLongerPollIntervalOfTheMainConsumerLeavesNothingToWarnOf() {
        assertThat(warning(THREE_REGISTRIES, Map.of("main.consumer.max.poll.interval.ms", "600000"))).isEmpty();
    }

    @Test
    void aPollIntervalWrittenWithATrailingSpaceIsReadAsKafkaReadsIt() {
        // One URL: 127 s, beyond 100 s.
        assertThat(warning("http://r1:8081", Map.of("main.consumer.max.poll.interval.ms", "100000 ")))
                .hasValueSatisfying(warning -> assertThat(warning).contains("up to 127 s", "(100 s)"));
    }

    @Test
    void shorterRequestTimeoutsLeaveNothingToWarnOf() {
        assertThat(warning(THREE_REGISTRIES, Map.of("schema.registry.request.timeout.ms", "10000"))).isEmpty();
    }

    @Test
    void anInProcessRegistryHasNothingToWaitFor() {
        assertThat(warning("mock://waits", Map.of("schema.registry.request.timeout.ms", "1000000"))).isEmpty();
    }

    @Test
    void jsonInAndOutNeverCallTheRegistry() {
        assertThat(warning(THREE_REGISTRIES, Map.of(GruStreamConfig.INPUT_FORMAT, "json",
                GruStreamConfig.OUTPUT_FORMAT, "json"))).isEmpty();
    }
}
