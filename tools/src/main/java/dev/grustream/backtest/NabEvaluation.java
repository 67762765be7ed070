package dev.grustream.backtest;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.data.FeatureMapping;
import dev.grustream.data.SeriesCsvReader;
import dev.grustream.data.SeriesRow;
import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replays series laid out like the Numenta Anomaly Benchmark's {@code data/} directory ({@code <category>/<file>.csv},
 * columns {@code timestamp,value}) through the production topology ({@link TopologyReplay}) and writes each file's
 * rows with their anomaly scores in NAB's result layout, ready for a NAB scorer.
 *
 * <p>Each file is one new key in a replay of its own, scored causally: a row's score depends only on the rows before
 * it and itself, never on labels. Output columns, one row per input row in input order: {@link #COLUMNS}, that is
 * {@code timestamp} (as read), {@code value}, {@code anomaly_score} (the Forecast's score; 0 for a row the topology
 * dead-lettered, which raised nothing), {@code expected} (the forecast this row was compared with, empty when none),
 * {@code forecast} (the one-step forecast made at this row) and {@code alert} (whether an alert was written).
 *
 * <p>Stateless between files; not thread-safe.
 */
public final class NabEvaluation {
    /** The columns of every result file, in order. */
    public static final List<String> COLUMNS = List.of("timestamp", "value", "anomaly_score", "expected",
            "forecast", "alert");

    /** A new key's first events, over which {@link SeriesResult#firstEvents()} measures how fast it learns. */
    public static final int FIRST_EVENTS = 500;

    /**
     * What one series' replay produced.
     *
     * @param series the file's path under the data directory, {@code <category>/<file>.csv}, with '/' separators
     * @param steps per step 1..H, the accuracy of the forecasts made at every accepted row for the k-th next accepted
     *     row: against persistence (the value at the forecast's row), against seasonal naive (the last value at
     *     least a day before the target row's time) and the coverage of their intervals
     * @param firstEvents the one-step accuracy of the forecasts made at the key's first {@link #FIRST_EVENTS} rows
     * @param times every row's timestamp, in milliseconds since the epoch
     * @param scores every row's anomaly score (0 for a row the topology dead-lettered)
     */
    public record SeriesResult(String series, long rows, long deadLetters, long alerts, List<Accuracy> steps,
            Accuracy firstEvents, long[] times, double[] scores) {

        /** The one-step accuracy. */
        public Accuracy accuracy() {
            return steps.get(0);
        }

        /** The series' category: the directory part of its path. */
        public String category() {
            return series.substring(0, series.indexOf('/'));
        }
    }

    private final GruModel model;
    private final Map<String, String> settings;
    private final Clock clock;
    private final String feature;
    private final FeatureMapping mapping;

    /**
     * @param model the model to replay with: one feature, which is also a target (NAB series have one value)
     * @param settings gru-stream settings for the topology (thresholds, warm-up, time rules)
     * @param clock the wall clock the topology sees
     * @throws IllegalArgumentException when the model does not have exactly one feature that is also a target
     */
    public NabEvaluation(GruModel model, Map<String, String> settings, Clock clock) {
        ModelSpec spec = model.spec();
        if (spec.features().size() != 1 || !spec.targets().contains(spec.features().get(0))) {
            throw new IllegalArgumentException("NAB series have one value column: the model must have one feature"
                    + " that is also a target, found features " + spec.features() + " and targets "
                    + spec.targets());
        }
        this.model = model;
        this.settings = Map.copyOf(settings);
        this.clock = clock;
        this.feature = spec.features().get(0);
        this.mapping = FeatureMapping.parse(feature + "=value", spec.features());
    }

    /**
     * The series of a NAB-layout directory: every {@code <category>/<file>.csv} one level below it, as
     * '/'-separated relative paths in sorted order.
     *
     * @throws IllegalArgumentException when {@code dataDir} is not a directory or holds no such file
     */
    public static List<String> series(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("--data " + dataDir + " is not a directory");
        }
        List<String> series = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dataDir, 2)) {
            files.filter(file -> Files.isRegularFile(file) && dataDir.relativize(file).getNameCount() == 2
                            && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                    .map(file -> dataDir.relativize(file).getName(0) + "/" + file.getFileName())
                    .sorted()
                    .forEach(series::add);
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("--data " + dataDir + " holds no <category>/<file>.csv series (the"
                    + " layout of NAB's data/ directory)");
        }
        return series;
    }

    /**
     * Replays {@code dataDir/series} and writes its results to {@code outputDir/series}, replacing any file there.
     */
    public SeriesResult run(Path dataDir, String series, Path outputDir) throws IOException {
        Path output = outputDir.resolve(series);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Path partial = Backtest.newPartial(output.toAbsolutePath().getParent(), output);
        long deadLetters = 0;
        long alerts = 0;
        List<Long> times = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        int horizon = model.spec().horizon();
        StepAccuracy accuracy = new StepAccuracy(horizon, FIRST_EVENTS);
        try (SeriesCsvReader reader = SeriesCsvReader.open(dataDir.resolve(series), mapping);
                TopologyReplay replay = new TopologyReplay(model, settings, clock,
                        output.toAbsolutePath().getParent());
                BufferedWriter file = Files.newBufferedWriter(partial);
                SequenceWriter writer = csvWriter().writeValues(file)) {
            while (reader.hasNext()) {
                SeriesRow row = reader.next();
                double actual = row.values().get(feature);
                // A row before 1970 is refused as the service refuses it (a Kafka record cannot carry its time).
                boolean timed = row.hasTime() && row.timestamp() >= 0;
                TopologyReplay.Outcome outcome = timed ? replay.send(row.key(), row.timestamp(), row.values()) : null;
                times.add(timed ? row.timestamp() : Long.MIN_VALUE);
                if (outcome == null || !outcome.accepted()) {
                    deadLetters++;
                    scores.add(0.0);
                    writer.write(List.of(row.timestampText(), String.valueOf(actual), "0.0", "", "", "false"));
                    continue;
                }
                Forecast forecast = outcome.forecast();
                Double expected = forecast.getExpected() == null ? null : forecast.getExpected().get(feature);
                accuracy.add(row.timestamp(), actual, forecast.getStateReset() != StateReset.NONE,
                        Backtest.values(forecast.getForecast(), feature, horizon),
                        Backtest.values(forecast.getLower(), feature, horizon),
                        Backtest.values(forecast.getUpper(), feature, horizon));
                scores.add(forecast.getAnomalyScore());
                alerts += outcome.alert() == null ? 0 : 1;
                writer.write(List.of(row.timestampText(), String.valueOf(actual),
                        String.valueOf(forecast.getAnomalyScore()), expected == null ? "" : String.valueOf(expected),
                        String.valueOf(forecast.getForecast().get(feature).get(0)),
                        String.valueOf(outcome.alert() != null)));
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
        return new SeriesResult(series, times.size(), deadLetters, alerts, accuracy.steps(), accuracy.firstEvents(),
                times.stream().mapToLong(Long::longValue).toArray(),
                scores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static ObjectWriter csvWriter() {
        CsvSchema.Builder schema = CsvSchema.builder();
        COLUMNS.forEach(schema::addColumn);
        // Quote only cells that need it, so that timestamps are written back exactly as they were read.
        return new CsvMapper().writerFor(List.class).with(schema.build().withHeader())
                .with(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
    }
}
