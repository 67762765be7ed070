package dev.grustream.cli;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.data.FeatureMapping;
import dev.grustream.model.CalendarFeature;
import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.ModelWriter;
import dev.grustream.model.PerKeyScaling;
import dev.grustream.service.ObservationHistory;
import dev.grustream.topology.ForecasterSettings;
import dev.grustream.topology.Topics;
import dev.grustream.train.EpochReport;
import dev.grustream.train.SeriesFiles;
import dev.grustream.train.Trainer;
import dev.grustream.train.TrainingConfig;
import dev.grustream.train.TrainingResult;
import dev.grustream.train.TrainingSeries;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code gru-stream train}: fits a model to series CSV files and writes it in the gru-stream model format. */
@Command(name = "train",
        header = "Trains a GRU forecaster on history and writes it in the gru-stream model format.",
        sortOptions = false, sortSynopsis = false, showDefaultValues = true,
        description = {"Trains a GRU forecaster on series CSV files (--input) or the history of an Observation topic"
                + " (--from-topic) and writes it in the gru-stream model format.",
                "A CSV file has a header row, a 'timestamp' column (read as the service reads event times: epoch s,"
                        + " ms, us or ns told apart by size, or ISO-8601, UTC without an offset, a space allowed for"
                        + " the T), an optional 'key'"
                        + " column (default: the file name without .csv) and one column per feature. Rows with an"
                        + " empty or non-numeric value, an unparsable or negative time, or more cells than the header"
                        + " are skipped and counted. The last --validation fraction of every key's rows is held out"
                        + " to pick the best epoch and to report the model's MASE against the persistence forecast.",
                "Progress goes to stderr, the summary to stdout."})
final class TrainCommand implements Callable<Integer> {

    private static final TrainingConfig DEFAULTS = TrainingConfig.builder()
            .model(TrainingConfig.defaultModel(List.of("x"), List.of("x"))).build();
    private static final ModelSpec DEFAULT_MODEL = DEFAULTS.model();
    /** Up to this many keys, the summary lists each key's validation MASE. */
    private static final int MAX_KEYS_LISTED = 50;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print gru-stream's version and exit.")
    boolean versionRequested;

    @Option(names = "--input", paramLabel = "FILE.csv|DIR", showDefaultValue = Visibility.NEVER,
            description = "A series CSV file, or a directory read recursively for *.csv files; repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--from-topic", paramLabel = "TOPIC", arity = "0..1", fallbackValue = "",
            description = "Train on an Observation topic instead, read from its beginning (or --since) up to now"
                    + " with the settings of 'run' (--config, GRU_STREAM_*, --set); without a name,"
                    + " topic.observations.")
    String fromTopic;

    @Option(names = "--since", paramLabel = "DURATION", converter = Durations.Days.class,
            description = "With --from-topic, read only the records of the last DURATION (30d, 12h; a plain number"
                    + " is days) by their record timestamps, instead of the whole topic.")
    Duration since;

    @Mixin
    ConfigOptions connection = new ConfigOptions();

    @Option(names = "--features", required = true, paramLabel = "NAME[=COLUMN],...",
            description = "The model's input features, in order; NAME=COLUMN reads feature NAME from column"
                    + " COLUMN (default: the column named NAME).")
    String features;

    @Option(names = "--targets", split = ",", paramLabel = "NAME", showDefaultValue = Visibility.NEVER,
            description = "The features to forecast, comma-separated (default: all features).")
    List<String> targets;

    @Option(names = "--output", required = true, paramLabel = "MODEL_DIR|MODEL.zip",
            description = "Where to write the model: a new or empty directory, or a .zip file.")
    Path output;

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name.")
    String name = DEFAULT_MODEL.name();

    @Option(names = "--model-version", paramLabel = "VERSION",
            description = "The model's version; states made by another version are reset, and instances swap only"
                    + " to a new one. Default: the first 12 hex digits of the trained model's SHA-256, so that every"
                    + " model trained differently is a new version.")
    String modelVersion;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden units per layer.")
    int hidden = DEFAULT_MODEL.hiddenSize();

    @Option(names = "--layers", paramLabel = "L", description = "Stacked GRU layers.")
    int layers = DEFAULT_MODEL.numLayers();

    @Option(names = "--variant", paramLabel = "reset_after|reset_before",
            description = "Where the reset gate applies (reset_after is PyTorch's nn.GRU).")
    String variant = DEFAULT_MODEL.gateVariant().jsonName();

    @Option(names = "--horizon", paramLabel = "STEPS",
            description = "How many steps ahead the model forecasts, every step directly from the same state.")
    int horizon = DEFAULT_MODEL.horizon();

    @Option(names = "--calendar", split = ",", paramLabel = "INPUT",
            description = "Calendar inputs computed from each event's time, comma-separated: time-of-day,"
                    + " day-of-week, day-of-year (default: none).")
    List<String> calendar = new ArrayList<>();

    @Option(names = "--time-zone", paramLabel = "ZONE",
            description = "The time zone whose local clock the calendar inputs read, e.g. Europe/Paris.")
    String timeZone = "UTC";

    @Option(names = "--normalization", paramLabel = "per-key|fixed",
            description = "per-key: each key standardised by its own running mean and variance, so the model"
                    + " serves series of any scale; fixed: one global mean and std per feature.")
    String normalization = "per-key";

    @Option(names = "--halflife", paramLabel = "EVENTS",
            description = "per-key: events for an observation's weight in a key's statistics to halve.")
    double halflife = TrainingConfig.DEFAULT_PER_KEY.halflife();

    @Option(names = "--z-clip", paramLabel = "Z", description = "per-key: largest standardised magnitude.")
    double zClip = TrainingConfig.DEFAULT_PER_KEY.clip();

    @Option(names = "--min-std-ratio", paramLabel = "R",
            description = "per-key: smallest key scale as a fraction of the key's mean magnitude.")
    double minStdRatio = TrainingConfig.DEFAULT_PER_KEY.minStdRatio();

    @Option(names = "--epochs", paramLabel = "N", description = "Most epochs (early stopping may end sooner).")
    int epochs = DEFAULTS.epochs();

    @Option(names = "--window", paramLabel = "STEPS",
            description = "Steps per training window: the truncation length of back-propagation through time.")
    int window = DEFAULTS.window();

    @Option(names = "--batch", paramLabel = "WINDOWS", description = "Windows per optimiser step.")
    int batch = DEFAULTS.batch();

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Adam's learning rate.")
    double learningRate = DEFAULTS.learningRate();

    @Option(names = "--clip", paramLabel = "NORM", description = "Largest global gradient norm.")
    double clip = DEFAULTS.clipNorm();

    @Option(names = "--validation", paramLabel = "FRACTION",
            description = "Fraction of every series, at its end, held out for validation (0 for none).")
    double validation = DEFAULTS.validationFraction();

    @Option(names = "--patience", paramLabel = "EPOCHS",
            description = "Stop after this many epochs without a better validation loss.")
    int patience = DEFAULTS.patience();

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the initial weights and of the window order.")
    long seed = DEFAULTS.seed();

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads computing gradients; the weights do not depend on it (default: all processors).")
    int threads = DEFAULTS.threads();

    @Override
    public Integer call() {
        long start = System.nanoTime();
        List<String> featureNames = featureNames();
        FeatureMapping mapping = FeatureMapping.parse(features, featureNames);
        TrainingConfig config = config(featureNames);
        if (inputs.isEmpty() == (fromTopic == null)) {
            throw new IllegalArgumentException("give the history to train on: --input FILE.csv|DIR (repeatable) or"
                    + " --from-topic [TOPIC], not both");
        }
        if (since != null && (fromTopic == null || since.isZero())) {
            throw new IllegalArgumentException(fromTopic == null ? "--since applies only with --from-topic"
                    : "--since must be a duration above 0");
        }
        checkOutput();
        List<TrainingSeries> series;
        String read;
        if (fromTopic != null) {
            GruStreamConfig settings = connection.load(Map.of());
            String topic = fromTopic.isEmpty() ? settings.getString(GruStreamConfig.TOPIC_OBSERVATIONS) : fromTopic;
            if (features.contains("=")) {
                // The topic's features are read as the service reads them: by the model's names, through
                // input.features for JSON; a column read under another name would train a model the service
                // refuses every record for.
                throw new IllegalArgumentException("--features " + features + ": with --from-topic, give the"
                        + " features' names only; map a JSON field to a feature with input.features, as the service"
                        + " does");
            }
            // As the service will check it when it serves the model this trains.
            Topics.from(settings).checkInputMapping(featureNames);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            // Records carry no timestamp before 1970: a longer --since reads the whole topic.
            Optional<Instant> from = Optional.ofNullable(since)
                    .filter(duration -> duration.compareTo(Duration.between(Instant.EPOCH, now)) < 0)
                    .map(now::minus);
            ObservationHistory.Read history = ObservationHistory.read(settings, topic, featureNames, from);
            series = history.series();
            read = String.format(Locale.ROOT, "%,d records read from topic %s%s; skipped %s", history.records(),
                    topic, from.map(time -> " stamped since " + time + (history.stampedBefore() > 0 ? " ("
                            + history.stampedBefore() + " stamped before it were left out)" : "")).orElse(""),
                    ObservationHistory.describe(history.skipped()));
        } else {
            SeriesFiles.Loaded data = SeriesFiles.read(inputs, featureNames, mapping);
            if (data.series().isEmpty()) {
                throw new IllegalArgumentException("no usable rows in " + inputs + ": " + data.rows() + " read, "
                        + data.skippedNotFinite() + " with a value missing, not a number or out of range, "
                        + data.skippedNoTime() + " with an unparsable time, " + data.skippedMalformed()
                        + " with more cells than the header"
                        + (data.firstSkipped().isEmpty() ? "" : "; the first: " + data.firstSkipped()));
            }
            data.keysNamedBySeveralFiles().forEach((key, files) -> spec.commandLine().getErr().printf(Locale.ROOT,
                    "Note: key %s is named by %d files (%s%s): their rows are one series; give each file a key"
                            + " column if they are not%n", key, files.size(), files.get(0),
                    " and " + files.get(1) + (files.size() > 2 ? ", ..." : "")));
            ZoneId zone = config.model().timeZone();
            if (!data.filesOfLocalTimes().isEmpty() && !config.model().calendar().isEmpty()) {
                // The calendar inputs are the only part of a model that training reads from the clock: local
                // wall-clock times read as UTC shift them by the zone's offset, an hour more in summer.
                spec.commandLine().getErr().printf(Locale.ROOT,
                        "Note: %d file(s) write times without an offset (the first: %s),"
                        + " which are read as UTC%s: if they are local wall-clock times, write them with their offset"
                        + " or as epoch numbers%n", data.filesOfLocalTimes().size(), data.filesOfLocalTimes().get(0),
                        zone.normalized().equals(ZoneOffset.UTC) ? ""
                                : ", while the calendar inputs follow " + zone + "'s clock");
            }
            series = data.series();
            read = String.format(Locale.ROOT, "%,d read from %,d files; skipped %,d missing, non-numeric or out of"
                    + " range, %,d bad time, %,d with extra cells, %,d duplicate time%s", data.rows(), data.files(),
                    data.skippedNotFinite(), data.skippedNoTime(), data.skippedMalformed(), data.skippedDuplicates(),
                    data.firstSkipped().isEmpty() ? "" : " (the first: " + data.firstSkipped() + ")");
        }
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "Read %s: %,d keys%n", read, series.size());
        TrainingResult result = new Trainer(config).train(series, new TrainingProgress(err,
                System.console() != null ? System.err : null, epochs));
        GruModel model = versioned(result.model());
        write(model);
        printSummary(spec.commandLine().getOut(), config, read, result, model.spec(), System.nanoTime() - start);
        return 0;
    }

    private List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (String pair : features.split(",")) {
            names.add(pair.split("=", 2)[0].trim());
        }
        return names;
    }

    private TrainingConfig config(List<String> featureNames) {
        PerKeyScaling perKey = switch (normalization) {
            case "per-key" -> new PerKeyScaling(halflife, zClip, minStdRatio);
            case "fixed" -> {
                for (String perKeyOption : List.of("--halflife", "--z-clip", "--min-std-ratio")) {
                    if (spec.commandLine().getParseResult().hasMatchedOption(perKeyOption)) {
                        throw new IllegalArgumentException(perKeyOption + " sets the per-key normalisation, which"
                                + " --normalization fixed does not use");
                    }
                }
                yield null;
            }
            default -> throw new IllegalArgumentException("--normalization: expected per-key or fixed, found '"
                    + normalization + "'");
        };
        List<CalendarFeature> calendarInputs = new ArrayList<>();
        for (String input : calendar) {
            try {
                calendarInputs.add(CalendarFeature.fromJsonName(input.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--calendar: " + e.getMessage(), e);
            }
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("--time-zone: expected a time zone such as Europe/Paris or UTC, found '"
                    + timeZone + "'", e);
        }
        List<String> targetNames = targets == null ? featureNames : targets;
        ModelSpec.Builder model = TrainingConfig.defaultModel(featureNames, targetNames).name(name)
                .version(modelVersion == null ? DEFAULT_MODEL.version() : modelVersion).hiddenSize(hidden)
                .numLayers(layers)
                .gateVariant(GateVariant.fromJsonName(variant)).horizon(horizon).calendar(calendarInputs)
                .timeZone(zone).normalization(TrainingConfig.unitNormalization(featureNames.size(), perKey));
        return TrainingConfig.builder().model(model).rules(ForecasterSettings.rules(connection.load(Map.of())))
                .epochs(epochs).window(window).batch(batch)
                .learningRate(learningRate).clipNorm(clip).validationFraction(validation).patience(patience)
                .seed(seed).threads(threads).build();
    }

    /** Refuses at once an --output that the model could not be written to after training: a file, or files. */
    private void checkOutput() {
        if (output.getFileName() == null) {
            throw new IllegalArgumentException("--output " + output + ": give a new or empty directory, or a name"
                    + " ending in .zip");
        }
        // The nearest path that exists: an existing zip may be replaced through its directory, anything else is
        // created in the nearest directory.
        Path target = output.toAbsolutePath();
        Path nearest = target;
        while (nearest != null && !Files.exists(nearest)) {
            nearest = nearest.getParent();
        }
        boolean writable = nearest != null && (Files.isDirectory(nearest) ? Files.isWritable(nearest)
                : nearest.equals(target) && (Files.isWritable(target) || Files.isWritable(target.getParent())));
        if (!writable) {
            throw new IllegalArgumentException("--output " + output + ": cannot be written"
                    + (nearest == null ? "" : " (" + nearest + " is not writable, or not a directory)"));
        }
        if (output.getFileName().toString().endsWith(".zip")) {
            if (Files.isDirectory(output)) {
                throw new IllegalArgumentException("--output " + output + " is a directory, not a zip file");
            }
            return;
        }
        if (Files.isRegularFile(output)) {
            throw new IllegalArgumentException("--output " + output + " is a file: give a new or empty directory,"
                    + " or a name ending in .zip");
        }
        if (Files.isDirectory(output)) {
            try (Stream<Path> existing = Files.list(output)) {
                if (existing.findAny().isPresent()) {
                    throw new IllegalArgumentException("--output " + output + " already holds files: a model is"
                            + " written to a new or empty directory");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the directory " + output + ": " + e, e);
            }
        }
    }

    /** The trained model: under its --model-version, which training gave it, or else under its fingerprint. */
    private GruModel versioned(GruModel trained) {
        if (modelVersion != null) {
            return trained;
        }
        String version = ModelWriter.fingerprint(trained);
        List<LayerWeights> layers = new ArrayList<>();
        for (int k = 0; k < trained.spec().numLayers(); k++) {
            layers.add(trained.layer(k));
        }
        return GruModel.of(trained.spec().toBuilder().version(version).build(), layers, trained.headWeight(),
                trained.headBias());
    }

    private void write(GruModel model) {
        try {
            if (output.getFileName().toString().endsWith(".zip")) {
                ModelWriter.writeZip(model, output);
            } else {
                ModelWriter.write(model, output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the model to " + output + ": " + e, e);
        }
    }

    private void printSummary(PrintWriter out, TrainingConfig config, String read, TrainingResult result,
            ModelSpec model, long nanos) {
        EpochReport best = result.best();
        int epochsRun = result.epochs().size() - 1;
        out.printf(Locale.ROOT, "Trained %s version %s: %s, %d x %d units, %s normalisation, %,d parameters%n",
                model.name(), model.version(), model.gateVariant().jsonName(), model.numLayers(),
                model.hiddenSize(), model.normalization().isPerKey() ? "per-key" : "fixed",
                result.data().parameters());
        out.printf(Locale.ROOT, "  rows        %s%n", read);
        out.printf(Locale.ROOT, "  keys        %,d trained on, %,d too short; %,d training rows, %,d validation"
                + " rows%n", result.data().keys(), result.skippedSeries().size(), result.data().trainRows(),
                result.data().validationRows());
        out.printf(Locale.ROOT, "  epochs      %d run, best %d%s%n", epochsRun, result.bestEpoch(),
                epochsRun < config.epochs() ? " (stopped early)" : "");
        boolean validated = result.data().validationRows() > 0;
        // The MASE figures are the first target's (the epochs' lines above too): say which when there are several.
        List<String> targets = result.model().spec().targets();
        String ofTarget = targets.size() > 1 ? " (" + targets.get(0) + ", the first target)" : "";
        if (validated) {
            out.printf(Locale.ROOT, "  validation  loss %.5f (persistence %.5f), MASE%s %.3f (median over keys; %d"
                    + " of %d keys below 1)%n", best.validationLoss(), best.persistenceLoss(), ofTarget,
                    best.validationMase(), count(result, mase -> mase < 1), count(result, mase -> !Double.isNaN(mase)));
        } else {
            out.printf(Locale.ROOT, "  validation  none (--validation 0): every epoch ran, and nothing was scored%n");
        }
        out.printf(Locale.ROOT, "  time        %.1f s; %,.0f rows/s trained%n", nanos / 1e9, result.rowsPerSecond());
        out.printf(Locale.ROOT, "  model       %s%n", output);
        if (validated && result.validationAccuracy().size() <= MAX_KEYS_LISTED) {
            out.println("  validation MASE" + ofTarget + " per key (below 1 beats persistence):");
            result.validationAccuracy().forEach((key, accuracies) -> out.printf(Locale.ROOT, "    %-40s %.3f%n",
                    key, accuracies.get(0).mase()));
        }
        out.flush();
    }

    /** How many keys' validation MASE of the first target passes {@code test}. */
    private static long count(TrainingResult result, DoublePredicate test) {
        return result.validationAccuracy().values().stream()
                .mapToDouble(accuracies -> accuracies.get(0).mase()).filter(test).count();
    }
}
