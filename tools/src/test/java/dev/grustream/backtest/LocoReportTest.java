package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.forecast.Accuracy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Leave one category out on hand-made replays: each fold chooses on the other categories only, never on the one it
 * scores.
 */
class LocoReportTest {
    private static final long FIVE_MINUTES = 300_000;
    private static final List<String> SERIES = List.of("a/1.csv", "b/1.csv", "c/1.csv");
    /** Every series' one window, rows 500..549 (after NAB's probation of the first 150 rows of 1,000). */
    private static final Map<String, List<long[]>> WINDOWS = windows();

    private static Map<String, List<long[]>> windows() {
        Map<String, List<long[]>> windows = new LinkedHashMap<>();
        SERIES.forEach(series -> windows.put(series, List.<long[]>of(new long[] {500 * FIVE_MINUTES,
                549 * FIVE_MINUTES})));
        return windows;
    }

    /**
     * A replay of the three series, with one-step MASEs {@code mase} and a detection in the categories {@code hits}.
     */
    private static List<NabEvaluation.SeriesResult> replay(double[] mase, String... hits) {
        List<NabEvaluation.SeriesResult> results = new ArrayList<>();
        for (int s = 0; s < SERIES.size(); s++) {
            String series = SERIES.get(s);
            Accuracy accuracy = new Accuracy();
            accuracy.add(0.0, mase[s], 1.0);
            long[] times = new long[1000];
            double[] scores = new double[1000];
            for (int i = 0; i < times.length; i++) {
                times[i] = i * FIVE_MINUTES;
            }
            if (List.of(hits).contains(series.substring(0, 1))) {
                scores[505] = 1.0;
            }
            results.add(new NabEvaluation.SeriesResult(series, times.length, 0, 0, List.of(accuracy), accuracy,
                    times, scores));
        }
        return results;
    }

    @Test
    void aFoldChoosesTheForecastingSettingOnTheOtherCategoriesOnly() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = new LinkedHashMap<>();
        candidates.put("good-on-a", replay(new double[] {0.5, 0.9, 0.9}));
        candidates.put("good-on-b-and-c", replay(new double[] {2.0, 0.8, 0.8}));

        assertThat(LocoReport.choose(candidates, "a")).isEqualTo("good-on-b-and-c");
        assertThat(LocoReport.choose(candidates, "b")).isEqualTo("good-on-a");
        assertThat(LocoReport.chosen(candidates)).containsExactly("good-on-a", "good-on-b-and-c");
    }

    @Test
    void aFoldChoosesTheAnomalySettingByNabOnTheOtherCategoriesOnly() {
        Map<String, List<NabEvaluation.SeriesResult>> anomaly = new LinkedHashMap<>();
        anomaly.put("finds-a", replay(new double[] {0.9, 0.9, 0.9}, "a"));
        anomaly.put("finds-c", replay(new double[] {0.9, 0.9, 0.9}, "c"));

        assertThat(LocoReport.chooseAnomaly(anomaly, "a", WINDOWS)).isEqualTo("finds-c");
        assertThat(LocoReport.chooseAnomaly(anomaly, "c", WINDOWS)).isEqualTo("finds-a");
    }

    @Test
    void theHeldOutCategoryIsScoredWithTheAnomalySettingItsFoldChose() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = Map.of("only", replay(new double[] {0.9, 0.9,
                0.9}));
        Map<String, List<NabEvaluation.SeriesResult>> anomaly = new LinkedHashMap<>();
        anomaly.put("finds-a-and-b", replay(new double[] {0.9, 0.9, 0.9}, "a", "b"));
        anomaly.put("finds-c", replay(new double[] {0.9, 0.9, 0.9}, "c"));

        String report = LocoReport.report(candidates, Map.of("only", anomaly), WINDOWS);

        assertThat(report).contains("### Held out: c (setting chosen on the other categories: only, anomaly setting"
                + " finds-a-and-b)");
        assertThat(report).contains("0 of 1 windows");
    }

    @Test
    void aSeriesOnlyPersistenceForecastExactlyCountsAsTheWorstInsteadOfVanishing() {
        List<NabEvaluation.SeriesResult> missesAnExactSeries = missingExactly(replay(new double[] {0, 0.5, 0.5}), 0);
        Map<String, List<NabEvaluation.SeriesResult>> candidates = new LinkedHashMap<>();
        candidates.put("misses-an-exact-series", missesAnExactSeries);
        candidates.put("fair", replay(new double[] {0.95, 0.9, 0.9}));

        assertThat(LocoReport.choose(candidates, "")).isEqualTo("fair");
        assertThat(LocoReport.report(Map.of("misses-an-exact-series", missesAnExactSeries), Map.of(), WINDOWS))
                .contains("| a/1.csv | inf |", "worst inf (a/1.csv)");
    }

    @Test
    void ofTwoSettingsThatMissAnExactSeriesTheOneThatMissesFewerWins() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = new LinkedHashMap<>();
        candidates.put("misses-two", missingExactly(replay(new double[] {0, 0, 0.5}), 0, 1));
        candidates.put("misses-one", missingExactly(replay(new double[] {0, 0.9, 0.9}), 0));

        assertThat(LocoReport.choose(candidates, "")).isEqualTo("misses-one");
    }

    /** {@code results} with the series at {@code series} made ones persistence forecast exactly and the setting not. */
    private static List<NabEvaluation.SeriesResult> missingExactly(List<NabEvaluation.SeriesResult> results,
            int... series) {
        Accuracy accuracy = new Accuracy();
        accuracy.add(1.0, 1.5, 1.0);
        List<NabEvaluation.SeriesResult> changed = new ArrayList<>(results);
        for (int s : series) {
            NabEvaluation.SeriesResult r = changed.get(s);
            changed.set(s, new NabEvaluation.SeriesResult(r.series(), r.rows(), 0, 0, List.of(accuracy), accuracy,
                    r.times(), r.scores()));
        }
        return changed;
    }

    @Test
    void theDefaultsSettingGetsItsAnomalyReplaysEvenWhenNoFoldChoseIt() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = new LinkedHashMap<>();
        candidates.put("bad-on-a", replay(new double[] {2.0, 0.5, 0.5}));
        candidates.put("bad-on-b", replay(new double[] {0.5, 2.0, 0.5}));
        candidates.put("bad-on-c", replay(new double[] {0.5, 0.5, 2.0}));
        candidates.put("good-everywhere", replay(new double[] {0.8, 0.8, 0.8}));

        // Each fold prefers the candidate that is bad only on the category it holds out.
        assertThat(List.of("a", "b", "c")).allSatisfy(heldOut -> assertThat(LocoReport.choose(candidates, heldOut))
                .isEqualTo("bad-on-" + heldOut));
        assertThat(LocoReport.choose(candidates, "")).isEqualTo("good-everywhere");
        assertThat(LocoReport.chosen(candidates)).contains("good-everywhere");
    }

    @Test
    void theDefaultsAreWhatEveryCategoryTogetherChooses() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = Map.of("only", replay(new double[] {0.9, 0.9,
                0.9}));
        Map<String, List<NabEvaluation.SeriesResult>> anomaly = new LinkedHashMap<>();
        anomaly.put("finds-c", replay(new double[] {0.9, 0.9, 0.9}, "c"));
        anomaly.put("finds-a-and-b", replay(new double[] {0.9, 0.9, 0.9}, "a", "b"));

        String report = LocoReport.report(candidates, Map.of("only", anomaly), WINDOWS);

        assertThat(report).contains("Chosen on every category, for the defaults: only, anomaly setting"
                + " finds-a-and-b; NAB thresholds standard");
    }

    @Test
    void theNabIntervalIsOnePointWhenEverySeriesScoresAlike() {
        NabScorer.File file = LocoReport.files(replay(new double[] {0.9, 0.9, 0.9}, "a"), WINDOWS).get(0);
        NabScorer.Share share = NabScorer.share(file, NabScorer.STANDARD, 0.5);

        double[] interval = LocoReport.interval(List.of(share, share, share));

        assertThat(interval[0]).isCloseTo(share.normalized(), within(1e-9));
        assertThat(interval[1]).isCloseTo(share.normalized(), within(1e-9));
    }

    @Test
    void theNabIntervalSpansTheScoresOfSeriesThatDiffer() {
        List<NabScorer.Share> shares = LocoReport.files(replay(new double[] {0.9, 0.9, 0.9}, "a", "b"), WINDOWS)
                .stream().map(file -> NabScorer.share(file, NabScorer.STANDARD, 0.5)).toList();
        double together = shares.get(0).plus(shares.get(1)).plus(shares.get(2)).normalized();

        double[] interval = LocoReport.interval(shares);

        assertThat(interval[0]).isLessThan(together);
        assertThat(interval[1]).isGreaterThan(together);
    }

    @Test
    void aReplayWithoutAnyForecastIsReportedNotFailed() {
        Map<String, List<NabEvaluation.SeriesResult>> candidates = Map.of("refused",
                replay(new double[] {Double.NaN, Double.NaN, Double.NaN}));

        String report = LocoReport.report(candidates, Map.of(), WINDOWS);

        assertThat(report).contains("Median one-step MASE against persistence - over 0 series, worst -, 0 above 1.");
    }
}
