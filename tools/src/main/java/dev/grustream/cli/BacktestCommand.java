package dev.grustream.cli;

import dev.grustream.backtest.Backtest;
import dev.grustream.backtest.ForecastChart;
import dev.grustream.backtest.PlotData;
import dev.grustream.backtest.TopologyReplay;
import dev.grustream.config.ConfigSources;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.data.FeatureMapping;
import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import dev.grustream.topology.DeadLetterReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gru-stream backtest}: replays CSV files through the production topology and scores the forecasts. */
@Command(name = "backtest",
        header = "Replays series CSV files through the service's topology, without a broker.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays series CSV files through the very topology the service runs (no broker needed) and",
                "writes one output row per input row: the forecast for the next step, the anomaly score and",
                "whether an alert was raised (or why the row was dead-lettered). Prints MAE, RMSE, MAPE and",
                "MASE against persistence per key and overall.",
                "",
                "Input: a header row, a 'timestamp' column (read as the service reads event times: epoch seconds,",
                "millis, micros or nanos told apart by size, or ISO-8601, UTC without an offset, a space allowed",
                "for the T), an optional 'key' column (default: the file name) and one column per model feature.",
                "A row with more cells than the header is dead-lettered as undecodable. Files are replayed one",
                "after another in the order of their paths, and a key whose rows go on in a later file carries",
                "its state on, as 'train' joins them."})
final class BacktestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|ZIP",
            description = "Model to replay with (default: model.path of --config, else the bundled model).")
    Path model;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = {"The service's properties file: the replay takes its gru-stream settings (thresholds,"
                    + " learner, time rules, model.path), after them those of GRU_STREAM_* variables, as 'run' does.",
                    "The topics' formats and the Kafka, registry and security settings concern a broker, and are"
                    + " ignored, but for max.request.size, which the input size limits are checked against."})
    Path config;

    @Option(names = "--input", required = true, paramLabel = "FILE.csv|DIR",
            description = "Input file, or directory read recursively for *.csv; repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "FILE.csv|DIR",
            description = "Output file (one input file) or directory (mirrors the inputs' layout).")
    Path output;

    @Option(names = "--features", paramLabel = "FEATURE=COLUMN,...",
            description = "Read model features from other columns, e.g. value=cpu_pct.")
    String features;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw actual vs forecast with alerts marked.")
    Path plot;

    @Option(names = "--plot-keys", paramLabel = "N", defaultValue = "4",
            description = "How many keys the chart shows (default: ${DEFAULT-VALUE}).")
    int plotKeys;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A gru-stream setting for the replay (thresholds, warm-up, time rules) over --config and"
                    + " the environment; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The environment whose {@code GRU_STREAM_*} variables apply: the process's, or a test's own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws IOException {
        System.setProperty("java.awt.headless", "true");
        TopologyReplay.refuseFormatSettings(settings);
        Map<String, String> replaySettings = TopologyReplay.replaySettings(
                ConfigSources.merge(config, environment, Map.of()));
        replaySettings.putAll(settings);
        String modelPath = replaySettings.getOrDefault(GruStreamConfig.MODEL_PATH, "");
        GruModel gru = model != null ? ModelSource.load(model)
                : modelPath.isBlank() ? ModelSource.bundled() : ModelSource.load(Path.of(modelPath));
        FeatureMapping mapping = FeatureMapping.parse(features, gru.spec().features());
        List<Job> jobs = jobs();
        if (plot != null) {
            Path chart = where(plot);
            for (Job job : jobs) {
                boolean overInput = chart.equals(where(job.input));
                if (overInput || chart.equals(where(job.output))) {
                    throw new IllegalArgumentException("--plot " + plot + " would be written over "
                            + (overInput ? "an input" : "an output") + "; give the chart a name of its own");
                }
            }
            if (!Files.isWritable(plot.toAbsolutePath().getParent())) {
                // Checked before the replay, which can take minutes, rather than when the chart is written.
                throw new IllegalArgumentException("--plot " + plot + ": cannot write in " + plot.toAbsolutePath()
                        .getParent());
            }
        }
        PlotData plotData = plot == null ? null : new PlotData(plotKeys);
        Map<String, Map<String, List<Accuracy>>> byKey;
        long rows = 0;
        SortedMap<String, Long> deadLetters = new TreeMap<>();
        long alerts = 0;
        String firstInvalidTime = "";
        // Made before the files are counted: it refuses a model whose output columns would clash, at once. It holds
        // nothing until its first file.
        Backtest backtest = new Backtest(gru, replaySettings, Clock.systemUTC());
        long totalLines = 0;
        for (Job job : jobs) {
            try {
                totalLines += Math.max(0, lines(job.input) - 1);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + job.input + ": " + e, e);
            }
        }
        // Stopped (Ctrl-C, SIGTERM), the file at hand is left unwritten, its partial output and state removed: the
        // backtest is closed first, before the stop signal lets the JVM exit.
        try (StopSignal stop = new StopSignal("backtest-shutdown", Duration.ofSeconds(30));
                ProgressBar progress = new ProgressBarBuilder().setTaskName("backtest").setInitialMax(totalLines)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
                backtest) {
            for (Job job : jobs) {
                long before = progress.getCurrent();
                Backtest.FileReport report;
                try {
                    report = backtest.run(job.input, job.output, mapping, plotData, done -> {
                        stop.checkNotRequested();
                        progress.stepTo(before + done);
                    });
                } catch (StopSignal.Stopped e) {
                    spec.commandLine().getErr().printf(Locale.ROOT,
                            "gru-stream backtest: stopped; %s was not written%n",
                            job.output);
                    spec.commandLine().getErr().flush();
                    return 1;
                } catch (IOException e) {
                    throw cannotBacktest(job, e);
                } catch (UncheckedIOException e) {
                    // The CSV reader's iterator reports a file it cannot parse (an unterminated quote) this way.
                    throw cannotBacktest(job, e.getCause());
                }
                rows += report.rows();
                if (firstInvalidTime.isEmpty() && !report.firstInvalidTime().isEmpty()) {
                    firstInvalidTime = job.input + ", " + report.firstInvalidTime();
                }
                report.deadLetters().forEach((reason, count) -> deadLetters.merge(reason, count, Long::sum));
                alerts += report.alerts();
            }
            byKey = backtest.accuracyByKey();
        }
        PrintWriter out = spec.commandLine().getOut();
        long dead = deadLetters.values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT,
                "%d rows from %d file(s): %d forecasts, %d dead letters%s, %d alerts%n", rows, jobs.size(),
                rows - dead, dead, deadLetters.isEmpty() ? "" : " " + deadLetters.entrySet().stream()
                        .map(reason -> reason.getKey() + " " + reason.getValue())
                        .collect(Collectors.joining(", ", "(", ")")), alerts);
        if (rows > 0 && rows == dead) {
            spec.commandLine().getErr().printf(Locale.ROOT,
                    "gru-stream backtest: no row was forecast: all %d were dead-lettered;"
                    + " the dead_letter column of the output says why%n", rows);
        }
        if (!firstInvalidTime.isEmpty()) {
            spec.commandLine().getErr().printf(Locale.ROOT, "gru-stream backtest: %d rows had no time the service"
                    + " reads (invalid-time); the first, %s%n", deadLetters.get(DeadLetterReason.INVALID_TIME.code()),
                    firstInvalidTime);
        }
        if (deadLetters.containsKey(DeadLetterReason.LATE.code())) {
            // Rows are replayed in file order, as the service receives records; train sorts each key's rows.
            spec.commandLine().getErr().printf(Locale.ROOT,
                    "gru-stream backtest: %d rows were older than their key's last and dead-lettered as late; if a"
                    + " file is not in time order (newest first, say), sort it; a key's files are replayed in the"
                    + " order of their paths%n", deadLetters.get(DeadLetterReason.LATE.code()));
        }
        AccuracyTable.print(out, byKey);
        if (plotData != null) {
            try {
                ForecastChart.write(plotData, "gru-stream backtest: " + gru.spec().name() + " "
                        + gru.spec().version(), plot);
            } catch (IOException e) {
                throw new UncheckedIOException("The outputs are written, but not the chart " + plot + ": " + e, e);
            }
            out.println("chart: " + plot);
        }
        out.flush();
        return 0;
    }

    private record Job(Path input, Path output) {
    }

    /** A file that cannot be read or written is the user's to fix, not a bug: the error names it. */
    private static UncheckedIOException cannotBacktest(Job job, IOException cause) {
        return new UncheckedIOException("cannot back-test " + job.input + " into " + job.output + ": "
                + cause.getMessage(), cause);
    }

    /** Pairs each input file with its output file, mirroring directory layouts. */
    private List<Job> jobs() throws IOException {
        List<Job> jobs = new ArrayList<>();
        boolean singleFile = inputs.size() == 1 && Files.isRegularFile(inputs.get(0));
        if (singleFile && !Files.isDirectory(output)) {
            jobs.add(new Job(inputs.get(0), output));
            refuseOverwrites(jobs);
            return jobs;
        }
        for (Path input : inputs) {
            if (Files.isRegularFile(input)) {
                jobs.add(new Job(input, output.resolve(input.getFileName())));
            } else if (Files.isDirectory(input)) {
                if (where(output).startsWith(where(input))) {
                    throw new IllegalArgumentException("--output " + output + " lies inside the input directory "
                            + input + ", whose .csv files are all read; give an output directory apart from it");
                }
                try (Stream<Path> files = Files.walk(input)) {
                    files.filter(f -> Files.isRegularFile(f) && f.toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                            .sorted()
                            .forEach(f -> jobs.add(new Job(f, output.resolve(input.relativize(f).toString()))));
                } catch (IOException | UncheckedIOException e) {
                    throw new UncheckedIOException("Cannot read the directory " + input + ": " + e,
                            e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
                }
            } else {
                throw new IllegalArgumentException("--input " + input + " is neither a file nor a directory");
            }
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("no .csv files found in " + inputs);
        }
        refuseOverwrites(jobs);
        // One replay takes them all: a key's files in the order of their paths (daily files by date), whatever the
        // order of the --input options.
        jobs.sort(Comparator.comparing(job -> job.input.toAbsolutePath().normalize()));
        return jobs;
    }

    /**
     * Where {@code path} is on disk, links followed: its real path, or that of its nearest existing ancestor with
     * the rest appended (an output not written yet).
     */
    private static Path where(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute;
        }
    }

    /**
     * Refuses jobs that would read one input twice (--input options that overlap, whose rows would count twice), write
     * one output twice, or write over an input (two inputs of one name, say).
     */
    private static void refuseOverwrites(List<Job> jobs) {
        Map<Path, Path> writers = new LinkedHashMap<>();
        Set<Path> inputs = new HashSet<>();
        for (Job job : jobs) {
            if (!inputs.add(where(job.input))) {
                throw new IllegalArgumentException(job.input + " is given twice (the --input options overlap), and"
                        + " its rows would count twice; give each file or directory once");
            }
        }
        for (Job job : jobs) {
            Path output = where(job.output);
            if (inputs.contains(output)) {
                throw new IllegalArgumentException("the output for " + job.input + " would be written over an input,"
                        + " " + job.output + "; give --output a directory apart from the inputs");
            }
            Path other = writers.putIfAbsent(output, job.input);
            if (other != null) {
                throw new IllegalArgumentException(other + " and " + job.input + " would both be written to "
                        + job.output + "; back-test them into different --output directories, or give the"
                        + " directory that holds both");
            }
        }
    }

    private static long lines(Path file) throws IOException {
        long lines = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }
}
