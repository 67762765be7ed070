package dev.grustream.backtest;

import dev.grustream.forecast.Accuracy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Leave-one-category-out evaluation of NAB replays: for each category in turn, the forecasting setting (among the
 * candidates replayed), the anomaly setting (among the anomaly candidates, if any) and the NAB thresholds are chosen
 * on the other categories only, and the held-out category is scored with them. What it prints estimates how the
 * service does on series nobody tuned it on.
 *
 * <p>The forecasting criterion on the other categories: the median one-step MASE against persistence plus the sum of
 * every series' excess over 1, so that a setting that wins the median by losing badly on some series is not chosen;
 * before it, the number of series persistence forecast exactly and the setting did not. The anomaly criterion: NAB's
 * standard score at its best threshold there. Anomaly settings do not change the forecasts, so they are chosen after
 * the forecasting setting, among replays of it. The pooled NAB score comes with the range a bootstrap over the held-out
 * series gives it, because 46 windows make it a noisy estimate.
 * Stateless; thread-safe.
 */
public final class LocoReport {

    /** Bootstrap resamples behind the interval of the pooled NAB score. */
    static final int RESAMPLES = 2_000;
    private static final long BOOTSTRAP_SEED = 20_261_204L;

    private LocoReport() {
    }

    /**
     * The report, in Markdown.
     *
     * @param candidates every candidate setting's name and the results of its replay of every series
     * @param anomalyCandidates for each candidate some fold chooses, the replays of it with each anomaly candidate
     *     on top, by the anomaly candidate's name; empty to score every fold with its chosen candidate's replay
     * @param windows NAB's labelled windows by series
     */
    public static String report(Map<String, List<NabEvaluation.SeriesResult>> candidates,
            Map<String, Map<String, List<NabEvaluation.SeriesResult>>> anomalyCandidates,
            Map<String, List<long[]>> windows) {
        StringBuilder out = new StringBuilder();
        TreeSet<String> categories = categories(candidates);
        Map<String, List<NabEvaluation.SeriesResult>> heldOut = new LinkedHashMap<>();
        Map<NabScorer.Profile, Double> pooledRaw = new LinkedHashMap<>();
        List<NabScorer.Share> shares = new ArrayList<>();
        out.append("## Leave one category out\n\n");
        for (String category : categories) {
            Choice choice = Choice.of(candidates, anomalyCandidates, category, windows);
            List<NabEvaluation.SeriesResult> held = candidates.get(choice.setting()).stream()
                    .filter(r -> r.category().equals(category)).toList();
            heldOut.put(category, held);
            List<NabEvaluation.SeriesResult> results = choice.results();
            out.append(String.format(Locale.ROOT, "### Held out: %s (setting chosen on the other categories: %s)%n%n",
                    category, choice));
            out.append("| series | MASE vs persistence | vs seasonal naive | first ").append(NabEvaluation.FIRST_EVENTS)
                    .append(" events | MASE step H vs persistence | coverage step 1 |\n");
            out.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
            for (NabEvaluation.SeriesResult result : held) {
                List<Accuracy> steps = result.steps();
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", result.series(),
                        number(steps.get(0).mase()), number(steps.get(0).seasonalMase()),
                        number(result.firstEvents().mase()), number(steps.get(steps.size() - 1).mase()),
                        number(steps.get(0).coverage())));
            }
            List<Double> mases = defined(held.stream().map(r -> r.accuracy().mase()).toList());
            out.append(String.format(Locale.ROOT, "%nMedian one-step MASE %s, worst %s.%n", number(median(mases)),
                    number(mases.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN))));
            List<NabScorer.File> tuning = files(results.stream().filter(r -> !r.category().equals(category))
                    .toList(), windows);
            List<NabScorer.File> scored = files(results.stream().filter(r -> r.category().equals(category)).toList(),
                    windows);
            Map<NabScorer.Profile, NabScorer.Result> nab = new LinkedHashMap<>();
            for (NabScorer.Profile profile : NabScorer.PROFILES) {
                NabScorer.Result result = NabScorer.at(scored, profile, NabScorer.bestThreshold(tuning, profile));
                nab.put(profile, result);
                pooledRaw.merge(profile, result.raw(), Double::sum);
            }
            double standardThreshold = nab.get(NabScorer.STANDARD).threshold();
            scored.forEach(file -> shares.add(NabScorer.share(file, NabScorer.STANDARD, standardThreshold)));
            if (scored.stream().anyMatch(file -> windows.get(file.key()) != null && !windows.get(file.key())
                    .isEmpty())) {
                out.append("NAB with thresholds chosen on the other categories:");
                nab.forEach((profile, result) -> out.append(String.format(Locale.ROOT,
                        " %s %.1f (threshold %.4f, %d of %d windows);", profile.name(), result.normalized(),
                        result.threshold(), result.windowsDetected(), result.windows())));
                out.append("\n\n");
            } else {
                out.append(String.format(Locale.ROOT, "No labelled windows: NAB counts only its false positives"
                        + " (rows flagged at the standard threshold: %d).%n%n",
                        nab.get(NabScorer.STANDARD).falsePositiveRows()));
            }
        }
        List<NabEvaluation.SeriesResult> all = heldOut.values().stream().flatMap(List::stream).toList();
        out.append(summary(all, files(all, windows), pooledRaw, shares));
        Choice overall = Choice.of(candidates, anomalyCandidates, "", windows);
        out.append(String.format(Locale.ROOT, "%nChosen on every category, for the defaults: %s", overall));
        List<NabScorer.File> allFiles = files(overall.results(), windows);
        out.append("; NAB thresholds");
        for (NabScorer.Profile profile : NabScorer.PROFILES) {
            out.append(String.format(Locale.ROOT, " %s %.4f", profile.name(),
                    NabScorer.bestThreshold(allFiles, profile)));
        }
        out.append(".\n");
        return out.toString();
    }

    /**
     * What a fold chooses: the forecasting setting and, when its anomaly candidates were replayed, the anomaly
     * setting, with the replay that setting gave.
     */
    private record Choice(String setting, String anomalySetting, List<NabEvaluation.SeriesResult> results) {

        /** The choice on every category but {@code heldOut} ({@code ""} for none). */
        static Choice of(Map<String, List<NabEvaluation.SeriesResult>> candidates,
                Map<String, Map<String, List<NabEvaluation.SeriesResult>>> anomalyCandidates, String heldOut,
                Map<String, List<long[]>> windows) {
            String setting = choose(candidates, heldOut);
            Map<String, List<NabEvaluation.SeriesResult>> anomaly = anomalyCandidates.get(setting);
            if (anomaly == null) {
                return new Choice(setting, null, candidates.get(setting));
            }
            String anomalySetting = chooseAnomaly(anomaly, heldOut, windows);
            return new Choice(setting, anomalySetting, anomaly.get(anomalySetting));
        }

        @Override
        public String toString() {
            return anomalySetting == null ? setting : setting + ", anomaly setting " + anomalySetting;
        }
    }

    /**
     * The candidates some fold chooses, and the one chosen on every category for the defaults, in the order of
     * {@code candidates}: each needs its anomaly replays.
     */
    public static Set<String> chosen(Map<String, List<NabEvaluation.SeriesResult>> candidates) {
        Set<String> chosen = new HashSet<>();
        categories(candidates).forEach(category -> chosen.add(choose(candidates, category)));
        chosen.add(choose(candidates, ""));
        Set<String> ordered = new LinkedHashSet<>(candidates.keySet());
        ordered.retainAll(chosen);
        return ordered;
    }

    private static TreeSet<String> categories(Map<String, List<NabEvaluation.SeriesResult>> candidates) {
        TreeSet<String> categories = new TreeSet<>();
        candidates.values().iterator().next().forEach(result -> categories.add(result.category()));
        return categories;
    }

    /** The candidate with the best criterion on every category but {@code heldOut}; ties go to the first. */
    static String choose(Map<String, List<NabEvaluation.SeriesResult>> candidates, String heldOut) {
        Comparator<List<NabEvaluation.SeriesResult>> better = Comparator.comparingLong(LocoReport::exactMisses)
                .thenComparingDouble(LocoReport::criterion);
        return candidates.entrySet().stream()
                .min(Comparator.comparing(entry -> entry.getValue().stream()
                        .filter(r -> !r.category().equals(heldOut)).toList(), better))
                .orElseThrow().getKey();
    }

    /**
     * The series whose MASE is infinite: persistence forecast them exactly and the setting did not. Compared first,
     * so that such a series makes a setting lose to one without it, rather than every setting tie at infinity.
     */
    private static long exactMisses(List<NabEvaluation.SeriesResult> results) {
        return results.stream().filter(r -> Double.isInfinite(r.accuracy().mase())).count();
    }

    /**
     * The anomaly candidate with the best NAB standard score, at its best threshold, on every category but
     * {@code heldOut}; ties go to the first.
     */
    static String chooseAnomaly(Map<String, List<NabEvaluation.SeriesResult>> anomalyCandidates, String heldOut,
            Map<String, List<long[]>> windows) {
        return anomalyCandidates.entrySet().stream()
                .max(Comparator.comparingDouble(entry -> NabScorer.score(files(entry.getValue().stream()
                        .filter(r -> !r.category().equals(heldOut)).toList(), windows), NabScorer.STANDARD).raw()))
                .orElseThrow().getKey();
    }

    /** Median one-step MASE plus the sum of every series' excess over 1, over the series with a finite MASE. */
    static double criterion(List<NabEvaluation.SeriesResult> results) {
        List<Double> mases = results.stream().map(r -> r.accuracy().mase()).filter(Double::isFinite).toList();
        return median(mases) + mases.stream().mapToDouble(mase -> Math.max(0, mase - 1)).sum();
    }

    private static String summary(List<NabEvaluation.SeriesResult> all, List<NabScorer.File> files,
            Map<NabScorer.Profile, Double> pooledRaw, List<NabScorer.Share> shares) {
        StringBuilder out = new StringBuilder("## Every held-out series together\n\n");
        List<Double> mases = defined(all.stream().map(r -> r.accuracy().mase()).toList());
        // No series has a MASE when every row was dead-lettered (a setting the service refuses, say).
        String worst = all.stream().filter(r -> !Double.isNaN(r.accuracy().mase()))
                .max(Comparator.comparingDouble(r -> r.accuracy().mase()))
                .map(r -> number(r.accuracy().mase()) + " (" + r.series() + ")").orElse("-");
        out.append(String.format(Locale.ROOT, "Median one-step MASE against persistence %s over %d series, worst %s,"
                + " %d above 1.%n%n", number(median(mases)), mases.size(), worst,
                mases.stream().filter(mase -> mase > 1).count()));
        out.append("NAB, each category at the settings and thresholds of its fold:");
        pooledRaw.forEach((profile, raw) -> out.append(String.format(Locale.ROOT, " %s %.1f;", profile.name(),
                NabScorer.normalized(files, profile, raw))));
        double[] interval = interval(shares);
        out.append(String.format(Locale.ROOT, "%n%nHow much the standard score depends on which series are scored: over"
                + " %,d resamples of the %d held-out series with replacement (each at its fold's threshold), 90%% of"
                + " the scores lie between %.1f and %.1f.%n", RESAMPLES, shares.size(), interval[0], interval[1]));
        out.append("\n| step | median MASE vs persistence | median MASE vs seasonal naive | worst vs persistence"
                + " | interval coverage |\n| ---: | ---: | ---: | ---: | ---: |\n");
        int horizon = all.get(0).steps().size();
        for (int k = 0; k < horizon; k++) {
            int step = k;
            List<Double> persistence = defined(all.stream().map(r -> r.steps().get(step).mase()).toList());
            List<Double> seasonal = defined(all.stream().map(r -> r.steps().get(step).seasonalMase()).toList());
            Accuracy pooled = new Accuracy();
            all.forEach(r -> pooled.addAll(r.steps().get(step)));
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", k + 1, number(median(persistence)),
                    number(median(seasonal)), number(persistence.stream().mapToDouble(Double::doubleValue).max()
                            .orElse(Double.NaN)), number(pooled.coverage())));
        }
        return out.toString();
    }

    /**
     * The 5th and 95th percentiles of the normalised score over {@value #RESAMPLES} bootstrap resamples of the files
     * whose {@code shares} these are (drawn with replacement, as many as there are); resamples without a window are
     * skipped. A fixed seed makes the report reproducible.
     */
    static double[] interval(List<NabScorer.Share> shares) {
        SplittableRandom random = new SplittableRandom(BOOTSTRAP_SEED);
        double[] scores = new double[RESAMPLES];
        int kept = 0;
        for (int r = 0; r < RESAMPLES; r++) {
            NabScorer.Share total = new NabScorer.Share(0, 0, 0, 0);
            for (int i = 0; i < shares.size(); i++) {
                total = total.plus(shares.get(random.nextInt(shares.size())));
            }
            if (total.perfect() > 0) {
                scores[kept++] = total.normalized();
            }
        }
        if (kept == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] sorted = Arrays.copyOf(scores, kept);
        Arrays.sort(sorted);
        return new double[] {sorted[(int) Math.floor(0.05 * (kept - 1))], sorted[(int) Math.ceil(0.95 * (kept - 1))]};
    }

    /** The NAB files of {@code results}, with their windows. */
    static List<NabScorer.File> files(List<NabEvaluation.SeriesResult> results, Map<String, List<long[]>> windows) {
        List<NabScorer.File> files = new ArrayList<>();
        for (NabEvaluation.SeriesResult result : results) {
            List<long[]> limits = windows.get(result.series());
            if (limits == null) {
                throw new IllegalArgumentException("the labels hold no windows for " + result.series());
            }
            files.add(new NabScorer.File(result.series(), result.times(), result.scores(), limits));
        }
        return files;
    }

    /**
     * The values that are defined: a NaN MASE (neither forecast erred) says nothing, while an infinite one (only the
     * comparison was exact) is the worst there is and stays in medians and maxima.
     */
    private static List<Double> defined(List<Double> values) {
        return values.stream().filter(value -> !Double.isNaN(value)).toList();
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "-" : Double.isInfinite(value) ? "inf" : String.format(Locale.ROOT, "%.3f", value);
    }
}
