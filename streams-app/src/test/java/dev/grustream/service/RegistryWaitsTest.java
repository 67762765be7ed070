package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class RegistryWaitsTest {
    private static final String THREE_REGISTRIES = "http://r1:8081,http://r2:8081,http://r3:8081";

    private static Properties streams(Map<String, String> more) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.putAll(more);
        return props;
    }

    private static Map<String, Object> registry(String urls) {
        return new HashMap<>(Map.of("schema.registry.url", urls));
    }

    @Test
    void threeRegistriesThatDoNotAnswerOutlastTheDefaultPollIntervalAndTheWarningSaysWhatToChange() {
        // 3 URLs x 4 rounds x 30 s, and waits of 1, 2 and 4 s: 367 s, beyond the default 300 s.
        assertThat(RegistryWaits.beyondPollInterval(registry(THREE_REGISTRIES), streams(Map.of())))
                .hasValueSatisfying(warning -> assertThat(warning).contains("up to 367 s", "3 URL(s)", "(300 s)",
                        "Lower schema.registry.request.timeout.ms or max.retries, or raise max.poll.interval.ms"));
    }

    @Test
    void oneRegistryAtTheDefaultsStaysWithinThePollInterval() {
        assertThat(RegistryWaits.beyondPollInterval(registry("http://r1:8081"), streams(Map.of()))).isEmpty();
    }

    @Test
    void aLongerPollIntervalOfTheMainConsumerLeavesNothingToWarnOf() {
        assertThat(RegistryWaits.beyondPollInterval(registry(THREE_REGISTRIES),
                streams(Map.of("main.consumer.max.poll.interval.ms", "600000")))).isEmpty();
    }

    @Test
    void shorterRequestTimeoutsLeaveNothingToWarnOf() {
        Map<String, Object> settings = registry(THREE_REGISTRIES);
        settings.put("schema.registry.request.timeout.ms", "10000");

        assertThat(RegistryWaits.beyondPollInterval(settings, streams(Map.of()))).isEmpty();
    }

    @Test
    void anInProcessRegistryHasNothingToWaitFor() {
        Map<String, Object> settings = registry("mock://waits");
        settings.put("schema.registry.request.timeout.ms", "1000000");

        assertThat(RegistryWaits.beyondPollInterval(settings, streams(Map.of()))).isEmpty();
    }
}
