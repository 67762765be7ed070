package dev.grustream.cli;

import dev.grustream.backtest.LocoReport;
import dev.grustream.backtest.NabEvaluation;
import dev.grustream.backtest.NabScorer;
import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gru-stream nab-eval}: replays every series of a Numenta Anomaly Benchmark data directory through the
 * production topology, writes NAB result files, prints each series' forecast accuracy and, given NAB's labels, the
 * NAB scores; or a leave-one-category-out evaluation of candidate settings.
 */
@Command(name = "nab-eval",
        header = "Replays NAB series through the service's topology and scores the forecasts and NAB.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays every <category>/<file>.csv series of a NAB-layout directory through the topology the"
                + " service runs, each file a new key scored causally, and prints its forecast accuracy and NAB score.",
                "Writes one result file per series under --output (timestamp,value,anomaly_score,expected,forecast,"
                        + "alert: the layout NAB scorers read). With --labels it scores NAB itself (causal scores,"
                        + " probation, one threshold per profile over all files). With --loco, each category is"
                        + " scored with the setting and thresholds chosen on the other categories."})
final class NabEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "NAB-layout data directory: <category>/<file>.csv, columns timestamp,value.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Results directory; <category>/<file>.csv files there are replaced.")
    Path output;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "NAB's combined_windows.json: score NAB (standard, low FP, low FN).")
    Path labels;

    @Option(names = "--model", paramLabel = "DIR|ZIP",
            description = "Model to replay with (default: the bundled model).")
    Path model;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A gru-stream setting for every replay (thresholds, learning, time rules); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--candidate", paramLabel = "NAME:KEY=VALUE[;KEY=VALUE...]",
            description = "A candidate setting for --loco, on top of --set; repeatable. Without any, --set alone.")
    List<String> candidates = new ArrayList<>();

    @Option(names = "--anomaly-candidate", paramLabel = "NAME:KEY=VALUE[;KEY=VALUE...]",
            description = "An anomaly setting for --loco, on top of the forecasting candidate a fold chooses; each"
                    + " fold chooses one by NAB's standard score on the other categories; repeatable.")
    List<String> anomalyCandidates = new ArrayList<>();

    @Option(names = "--loco", description = "Leave one category out: choose the setting and the NAB thresholds on"
            + " the other categories, score the held-out one; print every fold (needs --labels).")
    boolean loco;

    /** Asked between series whether to stop; set while {@link #call()} runs. */
    private StopSignal stop;

    /**
     * Stopped (Ctrl-C, SIGTERM), the series at hand is finished, within the signal's minute, so that no partial result
     * or replay state is left behind.
     */
    @Override
    public Integer call() throws IOException {
        try (StopSignal signal = new StopSignal("nab-eval-shutdown", Duration.ofSeconds(60))) {
            stop = signal;
            try {
                return evaluate();
            } catch (StopSignal.Stopped e) {
                // Said before the signal is closed: a stopping JVM ends once it is.
                spec.commandLine().getErr().printf(Locale.ROOT,
                        "gru-stream nab-eval: stopped; the result files written are"
                        + " whole%n");
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
    }

    private int evaluate() throws IOException {
        long start = System.nanoTime();
        if (loco && labels == null) {
            throw new IllegalArgumentException("--loco scores NAB: give NAB's labels with --labels");
        }
        if (!anomalyCandidates.isEmpty() && !loco) {
            throw new IllegalArgumentException("--anomaly-candidate is chosen by --loco: add --loco");
        }
        GruModel gru = model == null ? ModelSource.bundled() : ModelSource.load(model);
        List<String> series = NabEvaluation.series(data);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s %s; %d series from %s%n", gru.spec().name(), gru.spec().version(),
                series.size(), data);
        Map<String, Map<String, String>> settingsByName = settings(candidates, settings, "--candidate");
        Map<String, List<NabEvaluation.SeriesResult>> results = new LinkedHashMap<>();
        boolean named = settingsByName.size() > 1 || !anomalyCandidates.isEmpty();
        for (Map.Entry<String, Map<String, String>> candidate : settingsByName.entrySet()) {
            if (named) {
                out.printf(Locale.ROOT, "%n== candidate %s: %s%n", candidate.getKey(), candidate.getValue());
            }
            results.put(candidate.getKey(), replay(gru, candidate.getValue(), series,
                    named ? output.resolve(candidate.getKey()) : output, out));
        }
        int replays = results.size();
        if (loco) {
            Map<String, Map<String, List<NabEvaluation.SeriesResult>>> anomalyResults = new LinkedHashMap<>();
            if (!anomalyCandidates.isEmpty()) {
                for (String chosen : LocoReport.chosen(results)) {
                    Map<String, List<NabEvaluation.SeriesResult>> byAnomaly = new LinkedHashMap<>();
                    for (Map.Entry<String, Map<String, String>> anomaly : settings(anomalyCandidates,
                            settingsByName.get(chosen), "--anomaly-candidate").entrySet()) {
                        String name = chosen + "+" + anomaly.getKey();
                        out.printf(Locale.ROOT, "%n== candidate %s: %s%n", name, anomaly.getValue());
                        byAnomaly.put(anomaly.getKey(), replay(gru, anomaly.getValue(), series,
                                output.resolve(name), out));
                        replays++;
                    }
                    anomalyResults.put(chosen, byAnomaly);
                }
            }
            out.println();
            out.print(LocoReport.report(results, anomalyResults, NabScorer.readWindows(labels)));
        }
        out.printf(Locale.ROOT, "%n%d series, %d replays in %.1f s; results in %s%n", series.size(), replays,
                (System.nanoTime() - start) / 1e9, output);
        out.flush();
        return 0;
    }

    /**
     * The settings of each candidate by name: {@code base} alone when there is none, else {@code base} with each
     * candidate ({@code NAME:KEY=VALUE[;KEY=VALUE...]}, given with {@code option}) on top.
     */
    private static Map<String, Map<String, String>> settings(List<String> candidates, Map<String, String> base,
            String option) {
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        if (candidates.isEmpty()) {
            byName.put("settings", base);
            return byName;
        }
        for (String candidate : candidates) {
            int colon = candidate.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException(option + ": expected NAME:KEY=VALUE[;KEY=VALUE...], found '"
                        + candidate + "'");
            }
            Map<String, String> merged = new LinkedHashMap<>(base);
            for (String pair : candidate.substring(colon + 1).split(";")) {
                String[] keyValue = pair.split("=", 2);
                if (keyValue.length != 2) {
                    throw new IllegalArgumentException(option + " " + candidate.substring(0, colon)
                            + ": expected KEY=VALUE, found '" + pair + "'");
                }
                merged.put(keyValue[0].trim(), keyValue[1].trim());
            }
            byName.put(candidate.substring(0, colon), merged);
        }
        return byName;
    }

    private List<NabEvaluation.SeriesResult> replay(GruModel gru, Map<String, String> candidate,
            List<String> series, Path directory, PrintWriter out) throws IOException {
        Map<String, List<long[]>> windows = labels == null ? null : NabScorer.readWindows(labels);
        if (windows != null) {
            List<String> unlabelled = series.stream().filter(name -> !windows.containsKey(name)).toList();
            if (!unlabelled.isEmpty()) {
                // Scored as series without anomalies, they would add false positives and no windows, silently.
                throw new IllegalArgumentException("--labels " + labels + " has no entry for " + unlabelled
                        + "; give every series an entry, [] for none");
            }
        }
        NabEvaluation evaluation = new NabEvaluation(gru, candidate, Clock.systemUTC());
        String format = "%-56s %6s %6s %5s %7s %7s %7s %7s%n";
        out.printf(format, "series", "rows", "alerts", "dead", "MASE", "sMASE", "MASE-H", "cover");
        List<NabEvaluation.SeriesResult> results = new ArrayList<>();
        for (String name : series) {
            stop.checkNotRequested();
            NabEvaluation.SeriesResult result = evaluation.run(data, name, directory);
            results.add(result);
            List<Accuracy> steps = result.steps();
            out.printf(format, name, result.rows(), result.alerts(), result.deadLetters(),
                    number(steps.get(0).mase()), number(steps.get(0).seasonalMase()),
                    number(steps.get(steps.size() - 1).mase()), number(steps.get(0).coverage()));
            out.flush();
        }
        List<Double> mases = results.stream().map(r -> r.accuracy().mase()).filter(mase -> !Double.isNaN(mase))
                .toList();
        out.printf(Locale.ROOT, "median MASE %s over %d series (%d below 1; '-': neither forecast erred, 'inf': only"
                + " the comparison was exact)%n",
                mases.isEmpty() ? "-" : number(median(mases)), mases.size(),
                mases.stream().filter(mase -> mase < 1).count());
        if (windows != null) {
            List<NabScorer.File> files = new ArrayList<>();
            for (NabEvaluation.SeriesResult result : results) {
                files.add(new NabScorer.File(result.series(), result.times(), result.scores(),
                        windows.get(result.series())));
            }
            out.printf(Locale.ROOT, "NAB standard: %.1f  low FP: %.1f  low FN: %.1f%n",
                    NabScorer.score(files, NabScorer.STANDARD).normalized(),
                    NabScorer.score(files, NabScorer.LOW_FP).normalized(),
                    NabScorer.score(files, NabScorer.LOW_FN).normalized());
        }
        return results;
    }

    private static String number(double value) {
        // Four decimals: src/eval/judge.sh and synthetic.sh judge ratios of these to a few parts in a thousand.
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.isNaN(value) ? "-" : "inf";
        }
        return String.format(Locale.ROOT, "%.4f", value);
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
