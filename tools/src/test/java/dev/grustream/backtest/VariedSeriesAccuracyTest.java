package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.service.ModelSource;
import dev.grustream.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard's promise on varied series, in CI: the bundled model and the default settings replay 40 series of the
 * bundled model's training generator ({@code src/models/SyntheticTrainingSeries.java}: levels, walks, AR noise, daily
 * and weekend cycles, level shifts, bursts, values rounded to a step, rows a minute to an hour apart), drawn with a
 * seed nothing else uses ({@value #SEED}), through the production topology ({@link NabEvaluation}, as
 * {@code nab-eval} runs it). Many of these series are hard to beat (random walks, values that rarely change); what
 * the service must do is serve none of them much worse than repeating the last value, and most of them better.
 *
 * <p>The generator runs as {@code src/eval/synthetic.sh} runs it, through Java's single-file source launcher, in a
 * child JVM ({@link ChildJvm}) on this test's class path.
 */
class VariedSeriesAccuracyTest {
    private static final long SEED = 20261204;
    private static final int SERIES = 40;
    private static final int ROWS = 3_000;

    @TempDir
    static Path dir;
    static List<NabEvaluation.SeriesResult> results = new ArrayList<>();

    @BeforeAll
    static void replayTheDrawnSeries() throws IOException, InterruptedException {
        Path drawn = dir.resolve("drawn");
        Path generator = Path.of("..", "src", "models", "SyntheticTrainingSeries.java").toAbsolutePath();
        try (ChildJvm process = ChildJvm.start(dir.resolve("generator.log"), generator.toString(),
                List.of(drawn.toString(), String.valueOf(SERIES), String.valueOf(ROWS), String.valueOf(SEED)))) {
            assertThat(process.awaitExit(Duration.ofMinutes(2))).as("the generator's exit code (%s)", process.log())
                    .hasValue(0);
        }
        Path category = Files.createDirectories(dir.resolve("data").resolve("varied"));
        for (int k = 0; k < SERIES; k++) {
            String name = String.format(Locale.ROOT, "synthetic-%04d.csv", k);
            Files.move(drawn.resolve(name), category.resolve(name));
        }
        NabEvaluation evaluation = new NabEvaluation(ModelSource.bundled(), Map.of(),
                Clock.fixed(Instant.parse("2022-01-01T00:00:00Z"), ZoneOffset.UTC));
        for (String series : NabEvaluation.series(dir.resolve("data"))) {
            NabEvaluation.SeriesResult result = evaluation.run(dir.resolve("data"), series, dir.resolve("results"));
            results.add(result);
            System.out.printf(Locale.ROOT, "%s: one-step MASE %.3f, step-%d MASE %.3f%n", result.series(),
                    result.accuracy().mase(), result.steps().size(), lastStep(result));
        }
    }

    private static double lastStep(NabEvaluation.SeriesResult result) {
        return result.steps().get(result.steps().size() - 1).mase();
    }

    @Test
    void noSeriesIsForecastMuchWorseThanByRepeatingItsLastValue() {
        // Measured: at most 1.096 one step ahead (a five-minute series rounded to a step) and 1.078 twelve steps
        // ahead. NaN where persistence never errs (a flat line): there is nothing to compare.
        assertThat(results).hasSize(SERIES).allSatisfy(result -> {
            assertThat(result.accuracy().mase()).as("%s, one step", result.series())
                    .satisfiesAnyOf(mase -> assertThat(mase).isNaN(), mase -> assertThat(mase).isLessThan(1.15));
            assertThat(lastStep(result)).as("%s, %d steps", result.series(), result.steps().size())
                    .satisfiesAnyOf(mase -> assertThat(mase).isNaN(), mase -> assertThat(mase).isLessThan(1.15));
        });
    }

    @Test
    void mostSeriesAreForecastBetterThanByRepeatingTheirLastValue() {
        List<Double> oneStep = results.stream().map(result -> result.accuracy().mase()).filter(Double::isFinite)
                .toList();

        // Measured: median 0.861 over the 39 series where persistence errs.
        assertThat(oneStep).hasSizeGreaterThan(SERIES / 2);
        assertThat(LocoReport.median(oneStep)).as("median one-step MASE").isLessThan(0.95);
    }
}
