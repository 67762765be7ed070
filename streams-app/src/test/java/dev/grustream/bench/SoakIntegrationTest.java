package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short soak of CI: the same run as {@code gru-stream soak}, for 3 minutes, at a fixed rate far below what the
 * service can do (so that it holds on a loaded machine), over keys that come and go with a TTL short enough that
 * eviction works all along. The service must keep up (lag bounded, drained at the end), evict idle keys, and report
 * no error of any kind.
 */
@Tag("integration")
@Timeout(600)
class SoakIntegrationTest {
    private static final double RATE = 500;
    private static final long DISTINCT_KEYS = 20_000;

    @TempDir
    Path dir;

    @Test
    void aShortSoakKeepsUpEvictsIdleKeysAndHasNoError() throws Exception {
        Soak.Result result;
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().start();
                InMemorySchemaRegistryServer registry = InMemorySchemaRegistryServer.start(0)) {
            Soak.Options options = new Soak.Options(cluster.bootstrapServers(), registry.url(), Duration.ofMinutes(3),
                    DISTINCT_KEYS, 2_000, RATE, 0.5, 0, 2, "exactly_once_v2", 20_000, 5_000, Duration.ofSeconds(10),
                    "512m", dir);
            result = new Soak(options).run(System.out::println);
        }
        System.out.println(result.summary());

        assertThat(result.errors()).as("errors: %s", result.errorLines()).isZero();
        assertThat(result.drainedLag()).as("lag left after the load stopped").isZero();
        // Bounded by 30 seconds' worth of input: a service that fell behind for good would exceed it and keep growing.
        assertThat(result.samples()).allSatisfy(sample -> assertThat(sample.lag()).as("lag at %d s",
                sample.elapsedSeconds()).isLessThanOrEqualTo((long) (30 * RATE)));
        assertThat(result.forecasts()).as("forecasts during the sampled run").isPositive();
        assertThat(result.samples().get(result.samples().size() - 1).keysEvicted()).as("idle keys evicted")
                .isPositive();
    }
}
