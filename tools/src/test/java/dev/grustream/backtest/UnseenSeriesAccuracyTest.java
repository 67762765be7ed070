package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.embedded.SyntheticSeries;
import dev.grustream.forecast.Accuracy;
import dev.grustream.service.ModelSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accuracy check of CI, on series outside every training and tuning set: the bundled model and the default
 * settings replay 12 series drawn with a seed nothing else uses ({@value #SEED}; the default model was trained on
 * seed 1, the demo streams seed 42, and every setting was chosen on the NAB series), through the production topology
 * ({@link NabEvaluation}, as {@code nab-eval} runs it). Each series has its own level, daily cycle, trend and noise,
 * and injected spikes, dips and level shifts whose rows are known, so the anomaly score is judged against true
 * labels, with NAB's rules (windows of 10% of a file's rows shared among its anomalies, the first 15% of the rows
 * for probation).
 *
 * <p>The series come from the family of the demo's ({@link SyntheticSeries}), of which the default model saw one
 * week of 20 other series: unseen series, not an unseen kind of series. The bounds are what a useful forecaster must
 * do (beat repeating the last value on every series) and margins below what was measured, so that a change that
 * makes the service worse fails here before it reaches anyone.
 */
class UnseenSeriesAccuracyTest {
    private static final long SEED = 2026;
    private static final int SERIES = 12;
    private static final int ROWS = 3_000;
    private static final long INTERVAL = 300_000;
    private static final Instant START = Instant.parse("2021-06-01T00:00:00Z");
    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static List<NabEvaluation.SeriesResult> results = new ArrayList<>();
    static List<NabScorer.File> files = new ArrayList<>();
    static double threshold;

    @BeforeAll
    static void replayTheUnseenSeries() throws IOException {
        Path data = dir.resolve("data");
        List<List<Integer>> anomalies = write(data.resolve("unseen"));
        NabEvaluation evaluation = new NabEvaluation(ModelSource.bundled(), Map.of(),
                Clock.fixed(START.plusSeconds(ROWS * INTERVAL / 1000), ZoneOffset.UTC));
        List<String> series = NabEvaluation.series(data);
        for (int k = 0; k < series.size(); k++) {
            NabEvaluation.SeriesResult result = evaluation.run(data, series.get(k), dir.resolve("results"));
            results.add(result);
            files.add(new NabScorer.File(result.series(), result.times(), result.scores(),
                    windows(result.times(), anomalies.get(k))));
        }
        threshold = new GruStreamConfig(Map.of()).getDouble(GruStreamConfig.ANOMALY_THRESHOLD);
        for (NabEvaluation.SeriesResult result : results) {
            System.out.printf(Locale.ROOT, "%s: one-step MASE %.3f, step-%d MASE %.3f, interval coverage %.3f%n",
                    result.series(), result.accuracy().mase(), result.steps().size(), lastStep(result).mase(),
                    result.accuracy().coverage());
        }
        System.out.println("at the default threshold: " + NabScorer.at(files, NabScorer.STANDARD, threshold));
    }

    private static Accuracy lastStep(NabEvaluation.SeriesResult result) {
        return result.steps().get(result.steps().size() - 1);
    }

    /** Writes the series in NAB's layout; returns each one's anomalous rows. */
    private static List<List<Integer>> write(Path category) throws IOException {
        Files.createDirectories(category);
        SyntheticSeries generator = new SyntheticSeries(SERIES, SEED, INTERVAL, START.toEpochMilli());
        List<StringBuilder> csv = new ArrayList<>();
        List<List<Integer>> anomalies = new ArrayList<>();
        for (int k = 0; k < SERIES; k++) {
            csv.add(new StringBuilder("timestamp,value\n"));
            anomalies.add(new ArrayList<>());
        }
        for (int row = 0; row < ROWS; row++) {
            for (int k = 0; k < SERIES; k++) {
                SyntheticSeries.Point point = generator.next();
                csv.get(k).append(NAB_TIME.format(Instant.ofEpochMilli(point.eventTime()))).append(',')
                        .append(point.value()).append('\n');
                if (point.anomaly() != null) {
                    anomalies.get(k).add(row);
                }
            }
        }
        for (int k = 0; k < SERIES; k++) {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(category.resolve(String.format(
                    Locale.ROOT, "series-%02d.csv", k))))) {
                out.print(csv.get(k));
            }
        }
        return anomalies;
    }

    /** NAB's windows: 10% of the rows shared equally among the anomalies, centred on each, merged where they meet. */
    static List<long[]> windows(long[] times, List<Integer> anomalies) {
        List<long[]> windows = new ArrayList<>();
        if (anomalies.isEmpty()) {
            return windows;
        }
        int half = (int) (0.1 * times.length / anomalies.size() / 2);
        int[] last = null;
        List<int[]> rows = new ArrayList<>();
        for (int anomaly : anomalies) {
            int[] window = {Math.max(0, anomaly - half), Math.min(times.length - 1, anomaly + half)};
            if (last != null && window[0] <= last[1]) {
                last[1] = window[1];
            } else {
                rows.add(window);
                last = window;
            }
        }
        for (int[] window : rows) {
            windows.add(new long[] {times[window[0]], times[window[1]]});
        }
        return windows;
    }

    @Test
    void everySeriesIsForecastBetterThanByRepeatingItsLastValue() {
        // Measured: one-step MASE 0.736-0.825 (median 0.765), twelve steps ahead 0.419-0.709.
        assertThat(results).hasSize(SERIES).allSatisfy(result -> {
            assertThat(result.accuracy().mase()).as("%s, one step", result.series()).isLessThan(0.9);
            assertThat(lastStep(result).mase()).as("%s, %d steps", result.series(), result.steps().size())
                    .isLessThan(0.85);
        });
    }

    @Test
    void theIntervalsCoverWhatTheyPromise() {
        // Measured: 0.900-0.905 at step 1 for the promised 0.9.
        assertThat(results).hasSize(SERIES).allSatisfy(result -> assertThat(result.accuracy().coverage())
                .as("%s, step-1 coverage", result.series()).isBetween(0.87, 0.93));
    }

    @Test
    void theDefaultThresholdFindsInjectedAnomaliesWithFewFalseAlarms() {
        NabScorer.Result scored = NabScorer.at(files, NabScorer.STANDARD, threshold);
        long scorableRows = (long) SERIES * (ROWS - (int) (0.15 * ROWS));

        // Measured: 31 of 66 windows, 86 flagged rows outside them of 30,600. A key whose anomalies come daily
        // learns to expect them: the later spikes of such a key score lower than its first (docs/accuracy.md).
        assertThat(scored.windows()).as("windows after the probation").isGreaterThan(50);
        assertThat(scored.windowsDetected()).as("windows detected of %d", scored.windows())
                .isGreaterThanOrEqualTo(scored.windows() * 2 / 5);
        assertThat(scored.falsePositiveRows() * 200).as("%d rows flagged outside the windows of %d",
                scored.falsePositiveRows(), scorableRows).isLessThan(scorableRows);
    }
}
