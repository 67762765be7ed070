package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.forecast.Accuracy;
import dev.grustream.service.ModelSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kind of series the service once forecast worse than "the next value equals the last one": a year of
 * half-hourly values with a strong daily and weekly cycle, like a city's electricity demand or taxi rides. Three such
 * series, drawn here with seed {@value #SEED} (nothing else uses it; nobody trained or tuned on them), replay through
 * the production topology with the bundled model and the default settings, as {@code nab-eval} runs it.
 *
 * <p>Each series has a weekday shape (a morning and an evening peak of its own heights and hours), a flatter weekend
 * shape, a yearly swing of its level, and autocorrelated noise. The bounds are margins below what was measured.
 *
 * <p>Not asserted, because it does not hold at the defaults: from five to twelve steps ahead (two and a half to six
 * hours) the value a day earlier forecasts these series better than the service does (docs/accuracy.md, "Weak
 * spots"); {@code learner.profile.midhorizon}, off by default, mends much of it, and with
 * {@code learner.profile.weekly} as well the day-ago value is far behind, which is asserted. The test prints every
 * step's figures against both comparisons at the defaults, with each option and with both.
 */
class WeeklyCycleAccuracyTest {
    private static final long SEED = 4711;
    private static final int SERIES = 3;
    private static final int ROWS = 365 * 48;
    private static final long INTERVAL = 1_800_000;
    private static final Instant START = Instant.parse("2019-01-01T00:00:00Z");
    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    /** Five steps ahead: the horizon at which published streaming learners are compared on such series. */
    private static final int FIVE = 5;

    @TempDir
    static Path dir;
    static List<NabEvaluation.SeriesResult> results = new ArrayList<>();
    static List<NabEvaluation.SeriesResult> withMidHorizon = new ArrayList<>();
    static List<NabEvaluation.SeriesResult> withWeekly = new ArrayList<>();
    static List<NabEvaluation.SeriesResult> withBoth = new ArrayList<>();

    @BeforeAll
    static void replayAYearOfEachSeries() throws IOException {
        Path data = dir.resolve("data");
        write(data.resolve("weekly"));
        Clock clock = Clock.fixed(START.plusSeconds(ROWS * INTERVAL / 1000), ZoneOffset.UTC);
        NabEvaluation defaults = new NabEvaluation(ModelSource.bundled(), Map.of(), clock);
        NabEvaluation midHorizon = new NabEvaluation(ModelSource.bundled(),
                Map.of(GruStreamConfig.LEARNER_PROFILE_MID_HORIZON, "true"), clock);
        NabEvaluation weekly = new NabEvaluation(ModelSource.bundled(),
                Map.of(GruStreamConfig.LEARNER_PROFILE_WEEKLY, "true"), clock);
        NabEvaluation both = new NabEvaluation(ModelSource.bundled(),
                Map.of(GruStreamConfig.LEARNER_PROFILE_WEEKLY, "true", GruStreamConfig.LEARNER_PROFILE_MID_HORIZON,
                        "true"), clock);
        for (String series : NabEvaluation.series(data)) {
            results.add(defaults.run(data, series, dir.resolve("results")));
            withMidHorizon.add(midHorizon.run(data, series, dir.resolve("mid-horizon")));
            withWeekly.add(weekly.run(data, series, dir.resolve("weekly")));
            withBoth.add(both.run(data, series, dir.resolve("both")));
        }
        print("at the defaults", results);
        print("with " + GruStreamConfig.LEARNER_PROFILE_MID_HORIZON + "=true", withMidHorizon);
        print("with " + GruStreamConfig.LEARNER_PROFILE_WEEKLY + "=true", withWeekly);
        print("with both", withBoth);
    }

    private static void print(String title, List<NabEvaluation.SeriesResult> results) {
        System.out.println(title + ":");
        for (NabEvaluation.SeriesResult result : results) {
            System.out.printf(Locale.ROOT, "%s: one step MAPE %.2f%%, MASE vs persistence %.3f, vs seasonal naive"
                    + " %.3f%n", result.series(), result.accuracy().mape(), result.accuracy().mase(),
                    result.accuracy().seasonalMase());
            for (int k = 2; k <= result.steps().size(); k++) {
                Accuracy step = step(result, k);
                System.out.printf(Locale.ROOT, "  step %d: MAPE %.2f%%, MASE vs persistence %.3f, vs seasonal naive"
                        + " %.3f%n", k, step.mape(), step.mase(), step.seasonalMase());
            }
        }
    }

    private static Accuracy step(NabEvaluation.SeriesResult result, int k) {
        return result.steps().get(k - 1);
    }

    /** Writes the series in NAB's layout. */
    private static void write(Path category) throws IOException {
        Files.createDirectories(category);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int k = 0; k < SERIES; k++) {
            SplittableRandom own = random.split();
            double level = 100 + 900 * own.nextDouble();
            double morningHour = 7 + 2 * own.nextDouble();
            double eveningHour = 17 + 3 * own.nextDouble();
            double morning = 0.3 + 0.5 * own.nextDouble();
            double evening = 0.3 + 0.5 * own.nextDouble();
            double weekend = 0.3 + 0.4 * own.nextDouble();
            double noise = level * (0.01 + 0.02 * own.nextDouble());
            double wander = 0;
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(category.resolve(String.format(
                    Locale.ROOT, "weekly-%d.csv", k))))) {
                out.println("timestamp,value");
                for (int row = 0; row < ROWS; row++) {
                    Instant time = START.plusMillis(row * INTERVAL);
                    ZonedDateTime utc = time.atZone(ZoneOffset.UTC);
                    double hour = utc.getHour() + utc.getMinute() / 60.0;
                    boolean restDay = utc.getDayOfWeek() == DayOfWeek.SATURDAY
                            || utc.getDayOfWeek() == DayOfWeek.SUNDAY;
                    double shape = restDay ? weekend * bump(hour, 13, 4)
                            : morning * bump(hour, morningHour, 1.5) + evening * bump(hour, eveningHour, 2);
                    double season = 1 + 0.15 * Math.sin(2 * Math.PI * row / ROWS);
                    wander = 0.9 * wander + noise * own.nextGaussian();
                    out.println(NAB_TIME.format(time) + "," + (level * season * (0.6 + shape) + wander));
                }
            }
        }
    }

    private static double bump(double hour, double centre, double width) {
        double distance = (hour - centre) / width;
        return Math.exp(-distance * distance / 2);
    }

    @Test
    void everySeriesIsForecastOneStepAheadFarBetterThanByRepeatingItsLastValue() {
        // Measured: MASE against persistence 0.426-0.492 (MAPE 2.2-2.9%); with learning off (the GRU alone)
        // 1.32-1.37, worse than persistence, as the service was before it learnt each key.
        assertThat(results).hasSize(SERIES).allSatisfy(result -> assertThat(result.accuracy().mase())
                .as("%s, one step", result.series()).isLessThan(0.75));
    }

    @Test
    void everySeriesIsForecastFiveStepsAheadFarBetterThanByRepeatingItsLastValue() {
        // Measured: MASE against persistence 0.537-0.575 (MAPE 11.2-14.0%). With learning off: 0.66-0.87.
        assertThat(results).hasSize(SERIES).allSatisfy(result -> assertThat(step(result, FIVE).mase())
                .as("%s, five steps", result.series()).isLessThan(0.7));
    }

    @Test
    void theMidHorizonInputBeatsTheValueADayEarlierFiveStepsAhead() {
        // Measured: MASE against the value a day earlier 0.79-0.84 (0.92-1.19 without the input), MAPE 8.7-10.7%.
        assertThat(withMidHorizon).hasSize(SERIES).allSatisfy(result -> assertThat(step(result, FIVE)
                .seasonalMase()).as("%s, five steps", result.series()).isLessThan(0.9));
    }

    @Test
    void withTheWeeklyProfileTooTheMidHorizonInputBeatsTheValueADayEarlierByFar() {
        // Measured: MASE against the value a day earlier 0.37-0.47, MAPE 4.8-6.0% (the weekly profile alone:
        // 0.83-1.16; neither: 0.92-1.19).
        assertThat(withBoth).hasSize(SERIES).allSatisfy(result -> assertThat(step(result, FIVE).seasonalMase())
                .as("%s, five steps", result.series()).isLessThan(0.6));
    }
}
