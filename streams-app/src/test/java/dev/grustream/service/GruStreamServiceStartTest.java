package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.config.OperatorException;
import dev.grustream.testing.Logs;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
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

        // Past the guard, start() would ask the (absent) broker for the topics, then log why it stopped or started.
        assertThat(Logs.of(GruStreamService.class, () -> service.start(TopicCreation.NONE))).isEmpty();
    }

    @Test
    void aServiceThatCannotServeHttpLeavesNothingHoldingTheCallersMeters() throws Exception {
        assertCollected(failToServeHttp());
    }

    @Test
    void aStreamsSettingRefusedAtCreationLeavesNothingHoldingTheCallersMeters() throws Exception {
        assertCollected(failOnAHandlerNotOnTheClassPath());
    }

    /** Waits a second at most for {@code meters} to be collected: nothing the failed service made may hold it. */
    private static void assertCollected(WeakReference<MeterRegistry> meters) throws InterruptedException {
        // The JVM's GC metrics listen to the GC beans for good unless closed, and their listener holds the meters.
        for (int i = 0; i < 50 && meters.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(meters.get()).isNull();
    }

    /** Creates a service whose HTTP port is taken, and returns the meters it was given, held weakly. */
    private WeakReference<MeterRegistry> failToServeHttp() throws IOException {
        MeterRegistry meters = new SimpleMeterRegistry();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GruStreamConfig config = new GruStreamConfig(Map.of("http.bind.address", "127.0.0.1", "http.port",
                    String.valueOf(taken.getLocalPort()), "state.dir", stateDir.toString(), "bootstrap.servers",
                    "localhost:1", "schema.registry.url", "mock://start-test"));
            assertThatThrownBy(() -> GruStreamService.create(config, TestingModels.persistence("1"), meters,
                    Clock.systemUTC())).isInstanceOf(OperatorException.class).hasMessageContaining("Cannot serve HTTP");
        }
        return new WeakReference<>(meters);
    }

    /** Creates a service with a misspelt processing handler, and returns the meters it was given, held weakly. */
    private WeakReference<MeterRegistry> failOnAHandlerNotOnTheClassPath() {
        MeterRegistry meters = new SimpleMeterRegistry();
        GruStreamConfig config = new GruStreamConfig(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "schema.registry.url", "mock://start-test",
                "processing.exception.handler", "com.example.NoSuchHandler"));
        assertThatThrownBy(() -> GruStreamService.create(config, TestingModels.persistence("1"), meters,
                Clock.systemUTC())).isInstanceOf(ConfigException.class).hasMessageContaining("NoSuchHandler");
        return new WeakReference<>(meters);
    }

    @Test
    void repartitioningWithoutAGraceForLateRecordsIsWarnedAbout() {
        Map<String, String> settings = new HashMap<>(Map.of("http.enabled", "false", "state.dir",
                stateDir.toString(), "bootstrap.servers", "localhost:1", "input.format", "json",
                "input.key.fields", "host", "input.repartition", "true", "schema.registry.url", "mock://start-test"));

        List<ILoggingEvent> logged = Logs.of(GruStreamService.class, () -> {
            GruStreamService.create(new GruStreamConfig(settings), TestingModels.persistence("1"),
                    new CompositeMeterRegistry(), Clock.systemUTC()).close();
            settings.put("late.grace.ms", "60000");
            GruStreamService.create(new GruStreamConfig(settings), TestingModels.persistence("1"),
                    new CompositeMeterRegistry(), Clock.systemUTC()).close();
        });

        assertThat(logged).filteredOn(event -> event.getFormattedMessage().contains("input.repartition"))
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
