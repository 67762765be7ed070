package dev.grustream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaStreamsKeyStateSourceTest {
    @Test
    void hasRunOnlyOnceTheClientReachedRunningAndForEverAfter() {
        // Only the state listener is exercised: the client itself is never read.
        KafkaStreamsKeyStateSource source = new KafkaStreamsKeyStateSource(null);
        source.onStateChange(KafkaStreams.State.REBALANCING);
        assertThat(source.hasRun()).isFalse();

        source.onStateChange(KafkaStreams.State.RUNNING);
        source.onStateChange(KafkaStreams.State.REBALANCING);

        assertThat(source.hasRun()).isTrue();
    }

    @Test
    void aClientThatHasStoppedSaysItsStoresAreUnavailableForEveryRead(@TempDir Path stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("observations");
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "key-state-source-test");
        // Never started, so never connected: nothing listens there.
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        KafkaStreams streams = new KafkaStreams(builder.build(), properties);
        streams.close();
        KafkaStreamsKeyStateSource stopped = new KafkaStreamsKeyStateSource(streams);

        assertThatThrownBy(() -> stopped.get("k")).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(() -> stopped.keys(10)).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(stopped::approximateCount).isInstanceOf(InvalidStateStoreException.class);
    }
}
