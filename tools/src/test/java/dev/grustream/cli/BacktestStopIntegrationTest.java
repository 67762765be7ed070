package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.testing.ChildJvm;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gru-stream backtest} and {@code nab-eval} stopped by SIGTERM, in a JVM of their own. */
@Tag("integration")
@Timeout(300)
class BacktestStopIntegrationTest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aBacktestStoppedMidFileLeavesNeitherItsPartialOutputNorItsReplayStateBehind() throws Exception {
        Path input = dir.resolve("in.csv");
        // Far more rows than are replayed before the stop: minutes of work.
        writeSeries(input, 2_000_000);
        Path out = Files.createDirectory(dir.resolve("out"));

        try (ChildJvm backtest = ChildJvm.start(dir.resolve("backtest.log"), GruStreamTools.class.getName(),
                List.of("backtest", "--input", input.toString(), "--output", out.resolve("result.csv").toString()))) {
            // Stopped once it is writing its output, mid-file.
            await().atMost(Duration.ofMinutes(2)).until(() -> partialBytes(out) > 0);
            backtest.stop();

            assertThat(backtest.log()).contains("gru-stream backtest: stopped; " + out.resolve("result.csv")
                    + " was not written");
        }
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).as("files left in the output's directory").isEmpty();
        }
    }

    @Test
    void aNabEvaluationStoppedMidSeriesFinishesThatSeriesAndLeavesNoPartialResultOrReplayState() throws Exception {
        Path data = dir.resolve("data");
        for (String series : List.of("first", "second")) {
            writeSeries(Files.createDirectories(data.resolve("category")).resolve(series + ".csv"), 300_000);
        }
        Path out = dir.resolve("results");

        try (ChildJvm nabEval = ChildJvm.start(dir.resolve("nab-eval.log"), GruStreamTools.class.getName(),
                List.of("nab-eval", "--data", data.toString(), "--output", out.toString()))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> Files.isDirectory(out.resolve("category"))
                    && partialBytes(out.resolve("category")) > 0);
            nabEval.stop();

            assertThat(nabEval.log()).contains("gru-stream nab-eval: stopped; the result files written are whole");
        }
        try (Stream<Path> left = Files.list(out.resolve("category"))) {
            assertThat(left.map(file -> file.getFileName().toString())).containsExactly("first.csv");
        }
        assertThat(Files.readAllLines(out.resolve("category/first.csv"))).hasSize(300_001);
    }

    private static void writeSeries(Path file, int rows) throws IOException {
        try (BufferedWriter csv = Files.newBufferedWriter(file)) {
            csv.write("timestamp,value\n");
            Instant start = Instant.parse("2015-01-01T00:00:00Z");
            for (int i = 0; i < rows; i++) {
                csv.write(TIME.format(start.plusSeconds(300L * i)) + "," + (10 + Math.sin(i / 12.0)) + "\n");
            }
        }
    }

    private static long partialBytes(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".partial"))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
