package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {
    @Test
    void theOptionsShownHideSecretSettingsAndCredentialsInUrls() {
        Benchmark.Options options = options(Map.of("sasl.jaas.config", "PlainLoginModule required password=\"p\";",
                "schema.registry.url", "https://user:pass@registry:8081", "batch.max.size", "64"));

        Benchmark.Options shown = options.shown();

        assertThat(shown.settings()).containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("schema.registry.url", "https://[hidden]@registry:8081")
                .containsEntry("batch.max.size", "64");
        assertThat(shown.records()).isEqualTo(options.records());
    }

    /** A service's own properties file given to bench: its production names must not reach the measured topology. */
    @Test
    void theRunsOwnClusterTopicsApplicationAndStateOutrankTheUsersSettings() {
        Benchmark benchmark = new Benchmark(options(Map.of("application.id", "production",
                "bootstrap.servers", "production:9092", "topic.observations", "observations",
                "state.dir", "/var/lib/gru-stream", "batch.linger.ms", "9")));

        GruStreamConfig config = benchmark.config("bench-1", "bench-1-in", "bench-1-out", Path.of("bench-state"));

        assertThat(config.passThrough()).containsEntry("application.id", "bench-1")
                .containsEntry("bootstrap.servers", "broker:9093").containsEntry("state.dir", "bench-state");
        assertThat(config.getString(GruStreamConfig.TOPIC_OBSERVATIONS)).isEqualTo("bench-1-in");
        assertThat(config.getLong(GruStreamConfig.BATCH_LINGER_MS)).isEqualTo(9);
    }

    @Test
    void jsonInputIsReadByTheMappingOfItsSeriesTimeAndValueFieldsAndMayBeRepartitioned() {
        Benchmark benchmark = new Benchmark(options(Benchmark.InputFormat.JSON, Map.of("input.repartition", "true")));

        GruStreamConfig config = benchmark.config("bench-1", "bench-1-in", "bench-1-out", Path.of("bench-state"));

        assertThat(config.getString(GruStreamConfig.INPUT_FORMAT)).isEqualTo("json");
        assertThat(config.getList(GruStreamConfig.INPUT_KEY_FIELDS)).containsExactly("series");
        assertThat(config.getString(GruStreamConfig.INPUT_TIME_FIELD)).isEqualTo("time");
        assertThat(config.getList(GruStreamConfig.INPUT_FEATURES)).containsExactly("value=value");
        assertThat(config.getBoolean(GruStreamConfig.INPUT_REPARTITION)).isTrue();
    }

    private static Benchmark.Options options(Map<String, String> settings) {
        return options(Benchmark.InputFormat.AVRO, settings);
    }

    private static Benchmark.Options options(Benchmark.InputFormat input, Map<String, String> settings) {
        return new Benchmark.Options("broker:9093", 1_000, 0, 10, 4, input, "exactly_once_v2", 8, 1,
                Benchmark.ModelShape.ONE_STEP, 256, 5, Benchmark.StoreCache.DEFAULT, "java", 0, 0, 0, true, true, 1,
                settings);
    }
}
