package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NAB's scoring rules, row by row on hand-made files, and whole scores against an independent scorer's. */
class NabScorerTest {
    private static final long FIVE_MINUTES = 300_000;
    private static final NabScorer.Profile ONES = new NabScorer.Profile("ones", 1, 1, 1);

    /** A 100-row file with one window on rows 40..49, detected (score 1) at {@code hits}. */
    private static NabScorer.File file(int... hits) {
        return file(List.of(new long[] {40 * FIVE_MINUTES, 49 * FIVE_MINUTES}), hits);
    }

    private static NabScorer.File file(List<long[]> windows, int... hits) {
        long[] times = new long[100];
        double[] scores = new double[100];
        for (int i = 0; i < 100; i++) {
            times[i] = i * FIVE_MINUTES;
        }
        for (int hit : hits) {
            scores[hit] = 1.0;
        }
        return new NabScorer.File("f", times, scores, windows);
    }

    private static double raw(NabScorer.File file, NabScorer.Profile profile) {
        return NabScorer.at(List.of(file), profile, 0.5).raw();
    }

    private static double sigma(double y) {
        return 2 / (1 + Math.exp(5 * y)) - 1;
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertThat(raw(file(), ONES)).isEqualTo(-1.0);
    }

    @Test
    void aDetectionAtAWindowsStartEarnsTheTruePositiveWeight() {
        assertThat(raw(file(40), ONES)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void aLateDetectionEarnsLess() {
        assertThat(raw(file(49), ONES)).isCloseTo(sigma(-0.1) / sigma(-1), within(1e-12));
    }

    @Test
    void onlyAWindowsEarliestDetectionCounts() {
        assertThat(raw(file(40, 45, 49), ONES)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void aDetectionBeforeAnyWindowCostsTheFalsePositiveWeight() {
        assertThat(raw(file(20), NabScorer.STANDARD)).isCloseTo(-0.11 - 1.0, within(1e-12));
    }

    @Test
    void theProbationIsIgnored() {
        // 15% of 100 rows: rows 0..14.
        assertThat(raw(file(5), NabScorer.STANDARD)).isEqualTo(-1.0);
    }

    @Test
    void aDetectionJustAfterAWindowCostsLittle() {
        assertThat(raw(file(50), ONES)).isCloseTo(sigma(1 / 9.0) - 1.0, within(1e-12));
    }

    @Test
    void aDetectionFarAfterAWindowCostsTheWholeWeight() {
        assertThat(raw(file(80), ONES)).isCloseTo(-2.0, within(1e-12));
    }

    @Test
    void everyDetectionOfAFileWithoutWindowsCosts() {
        assertThat(raw(file(List.of(), 20, 30), NabScorer.STANDARD)).isCloseTo(-0.22, within(1e-12));
    }

    @Test
    void theChosenThresholdMaximisesTheTotal() {
        long[] times = new long[100];
        double[] scores = new double[100];
        for (int i = 0; i < 100; i++) {
            times[i] = i * FIVE_MINUTES;
        }
        scores[41] = 0.9;
        scores[20] = 0.8;
        NabScorer.File file = new NabScorer.File("f", times, scores,
                List.of(new long[] {40 * FIVE_MINUTES, 49 * FIVE_MINUTES}));

        NabScorer.Result result = NabScorer.score(List.of(file), NabScorer.STANDARD);

        assertThat(result.threshold()).isEqualTo(0.9);
        assertThat(result.windowsDetected()).isEqualTo(1);
        assertThat(result.falsePositiveRows()).isZero();
    }

    @Test
    void aConstantDetectorScoresZeroAndAPerfectOneAHundred() {
        long[] times = new long[100];
        double[] constant = new double[100];
        double[] perfect = new double[100];
        for (int i = 0; i < 100; i++) {
            times[i] = i * FIVE_MINUTES;
            constant[i] = 0.5;
        }
        perfect[40] = 1.0;
        List<long[]> window = List.of(new long[] {40 * FIVE_MINUTES, 49 * FIVE_MINUTES});

        assertThat(NabScorer.score(List.of(new NabScorer.File("f", times, constant, window)), NabScorer.STANDARD)
                .normalized()).isCloseTo(0.0, within(1e-9));
        assertThat(NabScorer.score(List.of(new NabScorer.File("f", times, perfect, window)), NabScorer.STANDARD)
                .normalized()).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void theSharesOfFilesAddUpToTheirScoreTogether() {
        NabScorer.File detected = file(41, 20);
        NabScorer.File missed = file(70);
        NabScorer.File withoutWindows = file(List.of(), 30);

        NabScorer.Share total = NabScorer.share(detected, NabScorer.STANDARD, 0.5)
                .plus(NabScorer.share(missed, NabScorer.STANDARD, 0.5))
                .plus(NabScorer.share(withoutWindows, NabScorer.STANDARD, 0.5));

        assertThat(total.normalized()).isCloseTo(NabScorer.at(List.of(detected, missed, withoutWindows),
                NabScorer.STANDARD, 0.5).normalized(), within(1e-12));
    }

    /**
     * Made-up result files whose scores an independent re-implementation of NAB's scoring (in Python, written apart
     * from this code, not in the repository) recorded: the same thresholds, scores and counts (resource
     * {@code nab-scorer/README.md}).
     */
    @Test
    void agreesWithTheScoresAnIndependentScorerGaveOnFixedFiles() throws IOException, URISyntaxException {
        Path fixture = Path.of(NabScorerTest.class.getResource("/nab-scorer/windows.json").toURI()).getParent();
        List<NabScorer.File> files = new ArrayList<>();
        for (Map.Entry<String, List<long[]>> entry : NabScorer.readWindows(fixture.resolve("windows.json"))
                .entrySet()) {
            List<String> rows = Files.readAllLines(fixture.resolve(entry.getKey()));
            long[] times = new long[rows.size() - 1];
            double[] scores = new double[rows.size() - 1];
            for (int i = 1; i < rows.size(); i++) {
                String[] cells = rows.get(i).split(",");
                times[i - 1] = NabScorer.parseTime(cells[0]);
                scores[i - 1] = Double.parseDouble(cells[2]);
            }
            files.add(new NabScorer.File(entry.getKey(), times, scores, entry.getValue()));
        }

        assertThat(NabScorer.score(files, NabScorer.STANDARD)).satisfies(result -> assertSame(result,
                new NabScorer.Result(NabScorer.STANDARD, 0.59787, -0.8451688406275375, 42.956926328103854, 6, 5, 42)));
        assertThat(NabScorer.score(files, NabScorer.LOW_FP)).satisfies(result -> assertSame(result,
                new NabScorer.Result(NabScorer.LOW_FP, 0.908831, -4.525442419985574, 12.287979833453548, 6, 2, 9)));
        assertThat(NabScorer.score(files, NabScorer.LOW_FN)).satisfies(result -> assertSame(result,
                new NabScorer.Result(NabScorer.LOW_FN, 0.59787, -1.8451688406275375, 56.41572866318035, 6, 5, 42)));
    }

    /** {@code actual} equals {@code expected}, its scores to within rounding of the other scorer's sums. */
    private static void assertSame(NabScorer.Result actual, NabScorer.Result expected) {
        assertThat(actual).usingRecursiveComparison()
                .withComparatorForType((a, b) -> Math.abs(a - b) < 1e-9 ? 0 : Double.compare(a, b), Double.class)
                .isEqualTo(expected);
    }
}
