package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link GruStreamService#create} refuses before it builds anything. No broker. */
class GruStreamServiceStartTest {
    @TempDir
    Path stateDir;

    @Test
    void aServiceClosedBeforeItStartedDoesNotStart() {
        GruStreamConfig config = new GruStreamConfig(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "schema.registry.url", "mock://start-test"));
        GruStreamService service = GruStreamService.create(config, TestingModels.persistence("1"),
                new CompositeMeterRegistry(), Clock.systemUTC());

        service.close();

        assertThatCode(() -> service.start(TopicCreation.NONE)).doesNotThrowAnyException();
    }

    @Test
    void anInputFeatureTheModelDoesNotHaveIsRefusedNamingTheSetting() {
        GruStreamConfig config = new GruStreamConfig(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "input.format", "json",
                "input.features", "valeu=fields.usage"));

        assertThatThrownBy(() -> GruStreamService.create(config, TestingModels.persistence("1"),
                new CompositeMeterRegistry(), Clock.systemUTC()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("input.features: maps [valeu], which the model does not have; its features are"
                        + " [value]");
    }

    @Test
    void aKafkaSettingKafkaStreamsRefusesIsRefusedInItsOwnWords() {
        GruStreamConfig config = new GruStreamConfig(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "schema.registry.url", "mock://start-test",
                "num.stream.threads", "two"));

        assertThatThrownBy(() -> GruStreamService.create(config, TestingModels.persistence("1"),
                new CompositeMeterRegistry(), Clock.systemUTC()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.stream.threads")
                .hasMessageNotContaining("bootstrap.servers");
    }

    @Test
    void aModelThatCannotRunIsRefusedBeforeAnyStreamThreadTriesIt() {
        GruStreamConfig config = new GruStreamConfig(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1"));

        assertThatThrownBy(() -> GruStreamService.create(config, TestingModels.overflowing("1"),
                new CompositeMeterRegistry(), Clock.systemUTC()).close())
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("The model persistence version 1 cannot be served")
                .hasMessageContaining("not a finite number");
    }
}
