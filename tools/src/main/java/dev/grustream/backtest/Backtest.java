package dev.grustream.backtest;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.config.OperatorException;
import dev.grustream.data.FeatureMapping;
import dev.grustream.data.SeriesCsvReader;
import dev.grustream.data.SeriesRow;
import dev.grustream.data.Timestamps;
import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.topology.DeadLetterReason;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Replays series CSV files through the production topology ({@link TopologyReplay}) and writes, for every input
 * row, what the live service would have written: its forecasts of the next H rows with their intervals, its anomaly
 * score and whether it raised an alert, or the reason it was dead-lettered.
 *
 * <p>Output columns, one row per input row in input order (a contract scripts rely on): {@code key,timestamp,<each
 * feature>}, then {@code forecast_<T>} for every target T (the next row's forecast), then for every target T and step
 * k in 1..H {@code forecast_<T>_h<k>,forecast_<T>_h<k>_lower,forecast_<T>_h<k>_upper} (the forecast made at this row
 * for the k-th next row of the same key and its interval; empty bounds while the key has none), then {@code
 * anomaly_score,alert}, plus {@code dead_letter} when a row of the file was rejected. {@code forecast_<T>} equals
 * {@code forecast_<T>_h1}. Timestamps are written back as they were read. Memory grows with the number of keys, not
 * of rows (except for the optional chart's keys).
 *
 * <p>One replay for every file, as the service would see their records one after another: a key whose rows go on in a
 * later file (its own key column, or files of one name in several directories, such as daily files) carries its
 * state on, as {@code train} joins such rows into one series. Files are replayed in the order {@link #run} is called.
 *
 * <p>Lifecycle: create, {@link #run} each file, read {@link #accuracyByKey()}, {@link #close()} (deletes the replay's
 * state). Not thread-safe.
 */
public final class Backtest implements AutoCloseable {
    /**
     * What a file's backtest produced.
     *
     * @param deadLetters the rows dead-lettered, by reason, in the order of the reasons' names
     * @param firstInvalidTime why the first row dead-lettered as {@code invalid-time} was, with its line; empty if
     *     none was
     */
    public record FileReport(Path input, Path output, long rows, long forecasts, SortedMap<String, Long> deadLetters,
            long alerts, String firstInvalidTime) {
    }

    private final GruModel model;
    private final Map<String, String> settings;
    private final Clock clock;
    /** Per key and target, the accuracy of each step over the files replayed so far. */
    private final Map<String, Map<String, StepAccuracy>> accuracy = new LinkedHashMap<>();
    /** Made at the first file, in its output's directory; null until then and after {@link #close()}. */
    private TopologyReplay replay;

    /**
     * @param model the model to replay with
     * @param settings gru-stream settings for the topology (thresholds, warm-up, time rules)
     * @param clock the wall clock the topology sees
     */
    public Backtest(GruModel model, Map<String, String> settings, Clock clock) {
        // Scripts read the columns by name: two of one name would give the values of one for the other's.
        Set<String> columns = new HashSet<>();
        for (String column : columns(model.spec(), true)) {
            if (!columns.add(column)) {
                throw new OperatorException("The model's features " + model.spec().features() + " and targets "
                        + model.spec().targets() + " would make two output columns named " + column + "; backtest"
                        + " cannot write them apart: a model whose names differ in that column's part can");
            }
        }
        this.model = model;
        this.settings = Map.copyOf(settings);
        this.clock = clock;
    }

    /**
     * Replays {@code input} into {@code output}.
     *
     * @param plot collects the chart's points, or null for no chart
     * @param progress told after each row
     */
    public FileReport run(Path input, Path output, FeatureMapping mapping, PlotData plot, LongConsumer progress)
            throws IOException {
        ModelSpec spec = model.spec();
        Path parent = output.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = newPartial(parent, output);
        Counts counts = new Counts();
        try (SeriesCsvReader rows = SeriesCsvReader.open(input, mapping);
                BufferedWriter file = Files.newBufferedWriter(partial);
                SequenceWriter writer = csvWriter(spec, true).writeValues(file)) {
            if (replay == null) {
                replay = new TopologyReplay(model, settings, clock, parent);
            }
            while (rows.hasNext()) {
                SeriesRow row = rows.next();
                List<String> cells = cells(spec, row);
                if (!row.wellFormed()) {
                    counts.deadLetter(DeadLetterReason.UNDECODABLE.code());
                    cells.addAll(rejected(spec, DeadLetterReason.UNDECODABLE.code()));
                } else if (!row.hasTime() || row.timestamp() < 0) {
                    // Before 1970: the service refuses it as invalid-time (and a Kafka record cannot carry it).
                    if (counts.firstInvalidTime.isEmpty()) {
                        counts.firstInvalidTime = "line " + row.line() + ": " + (row.hasTime()
                                ? row.timestampText() + " is before 1970" : Timestamps.whyNot(row.timestampText()));
                    }
                    counts.deadLetter(DeadLetterReason.INVALID_TIME.code());
                    cells.addAll(rejected(spec, DeadLetterReason.INVALID_TIME.code()));
                } else {
                    TopologyReplay.Outcome outcome = replay.send(row.key(), row.timestamp(), row.values());
                    if (outcome.accepted()) {
                        counts.forecasts++;
                        counts.alerts += outcome.alert() == null ? 0 : 1;
                        cells.addAll(accepted(spec, outcome));
                        score(spec, row, outcome.forecast(), accuracy, plot, outcome.alert() != null);
                    } else {
                        counts.deadLetter(outcome.deadLetterReason());
                        cells.addAll(rejected(spec, outcome.deadLetterReason()));
                    }
                }
                writer.write(cells);
                counts.rows++;
                progress.accept(counts.rows);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        finish(spec, partial, output, !counts.deadLetters.isEmpty());
        return new FileReport(input, output, counts.rows, counts.forecasts, counts.deadLetters, counts.alerts,
                counts.firstInvalidTime);
    }

    /** Per key and target, the accuracy of each step 1..H over every file replayed so far. */
    public Map<String, Map<String, List<Accuracy>>> accuracyByKey() {
        Map<String, Map<String, List<Accuracy>>> byKey = new LinkedHashMap<>();
        accuracy.forEach((key, byTarget) -> {
            Map<String, List<Accuracy>> steps = new LinkedHashMap<>();
            byTarget.forEach((target, measured) -> steps.put(target, measured.steps()));
            byKey.put(key, steps);
        });
        return byKey;
    }

    /** Closes the replay, deleting its state directory. */
    @Override
    public void close() {
        if (replay != null) {
            try {
                replay.close();
            } finally {
                replay = null;
            }
        }
    }

    private static final class Counts {
        long rows;
        long forecasts;
        final SortedMap<String, Long> deadLetters = new TreeMap<>();
        long alerts;
        String firstInvalidTime = "";

        void deadLetter(String reason) {
            deadLetters.merge(reason, 1L, Long::sum);
        }
    }

    private static void score(ModelSpec spec, SeriesRow row, Forecast forecast,
            Map<String, Map<String, StepAccuracy>> accuracy, PlotData plot, boolean alert) {
        Map<String, StepAccuracy> byTarget = accuracy.computeIfAbsent(row.key(), k -> new LinkedHashMap<>());
        boolean restarted = forecast.getStateReset() != StateReset.NONE;
        for (String target : spec.targets()) {
            byTarget.computeIfAbsent(target, k -> new StepAccuracy(spec.horizon(), NabEvaluation.FIRST_EVENTS))
                    .add(row.timestamp(), row.values().get(target), restarted, values(forecast.getForecast(), target,
                            spec.horizon()), values(forecast.getLower(), target, spec.horizon()),
                            values(forecast.getUpper(), target, spec.horizon()));
        }
        if (plot != null) {
            String first = spec.targets().get(0);
            Double expected = forecast.getExpected() == null ? null : forecast.getExpected().get(first);
            double[] band = restarted ? null : plot.band(row.key());
            plot.add(row.key(), new PlotData.Point(row.timestamp(), row.values().get(first),
                    expected == null ? Double.NaN : expected, band == null ? Double.NaN : band[0],
                    band == null ? Double.NaN : band[1], alert));
            plot.band(row.key(), values(forecast.getLower(), first, 1)[0], values(forecast.getUpper(), first, 1)[0]);
        }
    }

    /**
     * The {@code steps} values of one target's list in a forecast's map, nulls as NaN; all NaN when the map or the
     * list is missing (a forecast without intervals, when learning is off).
     */
    static double[] values(Map<String, List<Double>> byTarget, String target, int steps) {
        List<Double> list = byTarget == null ? null : byTarget.get(target);
        double[] values = new double[steps];
        for (int i = 0; i < steps; i++) {
            values[i] = list == null || list.get(i) == null ? Double.NaN : list.get(i);
        }
        return values;
    }

    private static List<String> cells(ModelSpec spec, SeriesRow row) {
        List<String> cells = new ArrayList<>();
        cells.add(row.key());
        cells.add(row.timestampText());
        for (String feature : spec.features()) {
            cells.add(String.valueOf(row.values().get(feature)));
        }
        return cells;
    }

    private static List<String> accepted(ModelSpec spec, TopologyReplay.Outcome outcome) {
        List<String> cells = new ArrayList<>();
        Forecast forecast = outcome.forecast();
        for (String target : spec.targets()) {
            cells.add(String.valueOf(forecast.getForecast().get(target).get(0)));
        }
        for (String target : spec.targets()) {
            double[] lower = values(forecast.getLower(), target, spec.horizon());
            double[] upper = values(forecast.getUpper(), target, spec.horizon());
            List<Double> steps = forecast.getForecast().get(target);
            for (int k = 0; k < spec.horizon(); k++) {
                cells.add(String.valueOf(steps.get(k)));
                cells.add(Double.isNaN(lower[k]) ? "" : String.valueOf(lower[k]));
                cells.add(Double.isNaN(upper[k]) ? "" : String.valueOf(upper[k]));
            }
        }
        cells.add(String.valueOf(outcome.forecast().getAnomalyScore()));
        cells.add(String.valueOf(outcome.alert() != null));
        cells.add("");
        return cells;
    }

    private static List<String> rejected(ModelSpec spec, String reason) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < spec.targetCount() * (1 + 3 * spec.horizon()); i++) {
            cells.add("");
        }
        cells.add("");
        cells.add("false");
        cells.add(reason);
        return cells;
    }

    /** The output columns, with or without the trailing dead_letter column. */
    public static List<String> columns(ModelSpec spec, boolean withDeadLetter) {
        List<String> columns = new ArrayList<>();
        columns.add("key");
        columns.add("timestamp");
        columns.addAll(spec.features());
        spec.targets().forEach(target -> columns.add("forecast_" + target));
        for (String target : spec.targets()) {
            for (int k = 1; k <= spec.horizon(); k++) {
                String step = "forecast_" + target + "_h" + k;
                columns.add(step);
                columns.add(step + "_lower");
                columns.add(step + "_upper");
            }
        }
        columns.add("anomaly_score");
        columns.add("alert");
        if (withDeadLetter) {
            columns.add("dead_letter");
        }
        return columns;
    }

    private static com.fasterxml.jackson.databind.ObjectWriter csvWriter(ModelSpec spec, boolean withDeadLetter) {
        CsvSchema.Builder schema = CsvSchema.builder();
        columns(spec, withDeadLetter).forEach(schema::addColumn);
        // Quote only cells that need it, so that timestamps are written back exactly as they were read.
        return new CsvMapper().writerFor(List.class).with(schema.build().withHeader())
                .with(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
    }

    /**
     * Moves the partial output into place; without dead letters, drops the (empty) dead_letter column on the way,
     * streaming, so that the file has exactly the documented columns.
     */
    private static void finish(ModelSpec spec, Path partial, Path output, boolean keepDeadLetterColumn)
            throws IOException {
        if (keepDeadLetterColumn) {
            moveIntoPlace(partial, output);
            return;
        }
        Path stripped = newPartial(output.toAbsolutePath().getParent(), output);
        CsvMapper mapper = new CsvMapper();
        CsvSchema withColumn = CsvSchema.emptySchema().withHeader();
        try {
            try (BufferedReader in = Files.newBufferedReader(partial);
                    var rows = mapper.readerForListOf(String.class)
                            .with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
                            .with(withColumn.withoutHeader().withSkipFirstDataRow(true)).readValues(in);
                    BufferedWriter file = Files.newBufferedWriter(stripped);
                    SequenceWriter writer = csvWriter(spec, false).writeValues(file)) {
                while (rows.hasNextValue()) {
                    List<?> row = (List<?>) rows.nextValue();
                    writer.write(row.subList(0, row.size() - 1));
                }
            }
            moveIntoPlace(stripped, output);
        } finally {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(stripped);
        }
    }

    /**
     * A new file beside {@code output} to write it in first, created as any new file is (the umask's permissions,
     * where a temporary file's are the owner's only).
     */
    static Path newPartial(Path parent, Path output) throws IOException {
        return Files.createFile(parent.resolve(output.getFileName() + "." + UUID.randomUUID() + ".partial"));
    }

    /** Replaces {@code output} by {@code written} at once where the file system can, so no half file is seen. */
    private static void moveIntoPlace(Path written, Path output) throws IOException {
        try {
            Files.move(written, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(written, output, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
