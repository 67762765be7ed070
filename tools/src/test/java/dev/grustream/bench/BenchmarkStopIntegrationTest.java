package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.embedded.EmbeddedKafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A benchmark stopped while it measures (bench's Ctrl-C) leaves no state directory behind. */
@Tag("integration")
@Timeout(180)
class BenchmarkStopIntegrationTest {
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aRunStoppedWhileItMeasuresRemovesItsStateDirectory() throws Exception {
        List<Path> before = stateDirectories();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().start()) {
            Benchmark.Options options = new Benchmark.Options(kafka.bootstrapServers(), 200_000, 0, 100, 2,
                    Benchmark.InputFormat.AVRO, "at_least_once", 8, 1, Benchmark.ModelShape.ONE_STEP, 256, 5,
                    Benchmark.StoreCache.DEFAULT, "java", 0, 0, 0, false, true, 1, Map.of());
            int[] checks = {0};

            assertThatThrownBy(() -> new Benchmark(options).run(line -> { }, () -> {
                if (++checks[0] == 5) {
                    throw new Stop();
                }
            })).isInstanceOf(Stop.class);

            assertThat(checks[0]).isEqualTo(5);
        }

        assertThat(stateDirectories()).isSubsetOf(before);
    }

    private static List<Path> stateDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(path -> path.getFileName().toString().startsWith("gru-bench")).toList();
        }
    }
}
