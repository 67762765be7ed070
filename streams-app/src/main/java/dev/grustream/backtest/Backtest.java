package dev.grustream.backtest;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.grustream.avro.Forecast;
import dev.grustream.data.FeatureMapping;
import dev.grustream.data.SeriesCsvReader;
import dev.grustream.data.SeriesRow;
import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Replays series CSV files through the production topology ({@link TopologyReplay}) and writes, for every input
 * row, what the live service would have written: its forecast for the next step, its anomaly score and whether it
 * raised an alert, or the reason it was dead-lettered.
 *
 * <p>Output columns, one row per input row in input order: {@code key,timestamp,<each feature>,
 * forecast_<each target>,anomaly_score,alert}, plus {@code dead_letter} when a row of the file was rejected.
 * Timestamps are written back as they were read. Memory grows with the number of keys, not of rows (except for
 * the optional chart's keys).
 *
 * <p>One replay per file: keys of different files never share state. Not thread-safe.
 */
public final class Backtest {
    /** What a file's backtest produced. */
    public record FileReport(Path input, Path output, long rows, long forecasts, long deadLetters, long alerts,
            Map<String, Map<String, Accuracy>> accuracyByKey) {
    }

    private final GruModel model;
    private final Map<String, String> settings;
    private final Clock clock;

    /**
     * @param model the model to replay with
     * @param settings gru-stream settings for the topology (thresholds, warm-up, time rules)
     * @param clock the wall clock the topology sees
     */
    public Backtest(GruModel model, Map<String, String> settings, Clock clock) {
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
        Path partial = Files.createTempFile(parent, output.getFileName().toString(), ".partial");
        Counts counts = new Counts();
        Map<String, Map<String, Accuracy>> accuracy = new LinkedHashMap<>();
        Map<String, double[]> previousActual = new HashMap<>();
        try (SeriesCsvReader rows = SeriesCsvReader.open(input, mapping);
                TopologyReplay replay = new TopologyReplay(model, settings, clock, parent);
                BufferedWriter file = Files.newBufferedWriter(partial);
                SequenceWriter writer = csvWriter(spec, true).writeValues(file)) {
            while (rows.hasNext()) {
                SeriesRow row = rows.next();
                List<String> cells = cells(spec, row);
                if (!row.hasTime()) {
                    counts.deadLetters++;
                    cells.addAll(rejected(spec, "invalid-time"));
                } else {
                    TopologyReplay.Outcome outcome = replay.send(row.key(), row.timestamp(), row.values());
                    if (outcome.accepted()) {
                        counts.forecasts++;
                        counts.alerts += outcome.alert() == null ? 0 : 1;
                        cells.addAll(accepted(spec, outcome));
                        score(spec, row, outcome.forecast(), accuracy, previousActual, plot, outcome.alert() != null);
                    } else {
                        counts.deadLetters++;
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
        finish(spec, partial, output, counts.deadLetters > 0);
        return new FileReport(input, output, counts.rows, counts.forecasts, counts.deadLetters, counts.alerts,
                accuracy);
    }

    private static final class Counts {
        long rows;
        long forecasts;
        long deadLetters;
        long alerts;
    }

    private static void score(ModelSpec spec, SeriesRow row, Forecast forecast,
            Map<String, Map<String, Accuracy>> accuracy, Map<String, double[]> previousActual, PlotData plot,
            boolean alert) {
        double[] previous = previousActual.get(row.key());
        Map<String, Accuracy> byTarget = accuracy.computeIfAbsent(row.key(), k -> new LinkedHashMap<>());
        double[] actuals = new double[spec.targetCount()];
        double plotted = Double.NaN;
        for (int t = 0; t < spec.targetCount(); t++) {
            String target = spec.targets().get(t);
            actuals[t] = row.values().get(target);
            Double expected = forecast.getExpected() == null ? null : forecast.getExpected().get(target);
            if (expected != null) {
                byTarget.computeIfAbsent(target, k -> new Accuracy())
                        .add(actuals[t], expected, previous == null ? Double.NaN : previous[t]);
            }
            if (t == 0 && expected != null) {
                plotted = expected;
            }
        }
        previousActual.put(row.key(), actuals);
        if (plot != null) {
            plot.add(row.key(), new PlotData.Point(row.timestamp(), actuals[0], plotted, alert));
        }
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
        for (String target : spec.targets()) {
            cells.add(String.valueOf(outcome.forecast().getForecast().get(target).get(0)));
        }
        cells.add(String.valueOf(outcome.forecast().getAnomalyScore()));
        cells.add(String.valueOf(outcome.alert() != null));
        cells.add("");
        return cells;
    }

    private static List<String> rejected(ModelSpec spec, String reason) {
        List<String> cells = new ArrayList<>();
        spec.targets().forEach(target -> cells.add(""));
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
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        CsvMapper mapper = new CsvMapper();
        CsvSchema withColumn = CsvSchema.emptySchema().withHeader();
        try (BufferedReader in = Files.newBufferedReader(partial);
                var rows = mapper.readerForListOf(String.class)
                        .with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
                        .with(withColumn.withoutHeader().withSkipFirstDataRow(true)).readValues(in);
                BufferedWriter file = Files.newBufferedWriter(output);
                SequenceWriter writer = csvWriter(spec, false).writeValues(file)) {
            while (rows.hasNextValue()) {
                List<?> row = (List<?>) rows.nextValue();
                writer.write(row.subList(0, row.size() - 1));
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
