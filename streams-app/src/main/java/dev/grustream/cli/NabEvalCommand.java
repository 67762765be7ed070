package dev.grustream.cli;

import dev.grustream.backtest.NabEvaluation;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
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
 * production topology, writes NAB result files and prints each series' one-step MASE against persistence.
 */
@Command(name = "nab-eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays every <category>/<file>.csv series of a directory laid out like the Numenta Anomaly",
                "Benchmark's data/ through the very topology the service runs (each file a new key, scored",
                "causally, no labels), writes one result file per series to the same path under --output",
                "(timestamp,value,anomaly_score,expected,forecast,alert: the layout NAB scorers read), and prints",
                "each series' one-step MASE against persistence and their median.",
                "Score the results with a NAB scorer, e.g. src/eval/nab.sh does both."})
final class NabEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "NAB-layout data directory: <category>/<file>.csv, columns timestamp,value.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Results directory; <category>/<file>.csv files there are replaced.")
    Path output;

    @Option(names = "--model", paramLabel = "DIR|ZIP",
            description = "Model to replay with (default: the bundled model).")
    Path model;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A gru-stream setting for the replay (thresholds, warm-up, time rules); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        GruModel gru = model == null ? ModelSource.bundled() : ModelSource.load(model);
        NabEvaluation evaluation = new NabEvaluation(gru, settings, Clock.systemUTC());
        List<String> series = NabEvaluation.series(data);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s %s; %d series from %s%n", gru.spec().name(), gru.spec().version(),
                series.size(), data);
        String format = "%-56s %7s %6s %6s %7s%n";
        out.printf(format, "series", "rows", "alerts", "dead", "MASE");
        List<Double> mases = new ArrayList<>();
        long rows = 0;
        for (String name : series) {
            NabEvaluation.SeriesResult result = evaluation.run(data, name, output);
            double mase = result.accuracy().mase();
            if (Double.isFinite(mase)) {
                mases.add(mase);
            }
            rows += result.rows();
            out.printf(format, name, result.rows(), result.alerts(), result.deadLetters(),
                    Double.isFinite(mase) ? String.format(Locale.ROOT, "%.3f", mase) : "-");
            out.flush();
        }
        out.printf(Locale.ROOT, "median MASE %s over %d series (%d below 1; '-': persistence made no error)%n",
                mases.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", median(mases)), mases.size(),
                mases.stream().filter(mase -> mase < 1).count());
        out.printf(Locale.ROOT, "%d rows in %.1f s; results in %s%n", rows, (System.nanoTime() - start) / 1e9,
                output);
        out.flush();
        return 0;
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
