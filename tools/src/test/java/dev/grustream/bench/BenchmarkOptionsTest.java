package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {
    @Test
    void theOptionsShownHideSecretSettingsAndCredentialsInUrls() {
        Benchmark.Options options = new Benchmark.Options("broker:9093", 1_000, 10, 4, "exactly_once_v2", 64, 1,
                Benchmark.ModelShape.BUNDLED, 256, 5, Benchmark.StoreCache.DEFAULT, "java", 0, 0, 0, true, true, 1,
                Map.of("sasl.jaas.config", "PlainLoginModule required password=\"p\";",
                        "schema.registry.url", "https://user:pass@registry:8081", "batch.max.size", "64"));

        Benchmark.Options shown = options.shown();

        assertThat(shown.settings()).containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("schema.registry.url", "https://[hidden]@registry:8081")
                .containsEntry("batch.max.size", "64");
        assertThat(shown.records()).isEqualTo(options.records());
    }
}
