package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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
    void repartitioningWithoutAGraceForLateRecordsIsWarnedAbout() {
        Logger logger = (Logger) LoggerFactory.getLogger(GruStreamService.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Map<String, String> settings = new HashMap<>(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "input.format", "json",
                "input.key.fields", "host", "input.repartition", "true", "schema.registry.url", "mock://start-test"));
        try {
            GruStreamService.create(new GruStreamConfig(settings), TestingModels.persistence("1"),
                    new CompositeMeterRegistry(), Clock.systemUTC()).close();
            settings.put("late.grace.ms", "60000");
            GruStreamService.create(new GruStreamConfig(settings), TestingModels.persistence("1"),
                    new CompositeMeterRegistry(), Clock.systemUTC()).close();
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(appender.list).filteredOn(event -> event.getFormattedMessage().contains("input.repartition"))
                .singleElement().satisfies(event -> assertThat(event.getFormattedMessage()).contains("late.grace.ms"));
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
