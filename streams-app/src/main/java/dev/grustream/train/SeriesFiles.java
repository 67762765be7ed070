package dev.grustream.train;

import dev.grustream.data.FeatureMapping;
import dev.grustream.data.SeriesCsvReader;
import dev.grustream.data.SeriesRow;
import dev.grustream.data.Timestamps;
import dev.grustream.forecast.Forecaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads series CSV files (see {@link SeriesCsvReader}) into one {@link TrainingSeries} per key, as the service
 * would see their events: each key's rows in time order.
 *
 * <p>Rows whose time cannot be parsed or with a feature that is empty, not a number, NaN, infinite or beyond
 * {@link Forecaster#MAX_ABS_VALUE} are skipped; so is a row at the same time as the key's previous row (the service
 * refuses those and duplicates). Rows of one key may come from several files. Keys keep the order they are first met
 * in; directories are read recursively, their {@code *.csv} files in path order, so the result does not depend on the
 * file system.
 *
 * <p>{@code SeriesFiles.Loaded data = SeriesFiles.read(List.of(Path.of("data")), List.of("value"), mapping);}
 *
 * <p>Stateless; thread-safe.
 */
public final class SeriesFiles {

    /**
     * What was read.
     *
     * @param series one per key, in the order keys were first met
     * @param files the CSV files read
     * @param rows the rows read, skipped ones included
     * @param skippedNotFinite rows skipped for a feature value that is empty, unparsable, not finite or beyond
     *     {@link Forecaster#MAX_ABS_VALUE} (the service refuses those)
     * @param skippedNoTime rows skipped for a timestamp that could not be parsed or is before 1970 (the service
     *     refuses those)
     * @param skippedMalformed rows skipped for holding more cells than the header names
     * @param skippedDuplicates rows skipped for repeating their key's previous timestamp
     * @param firstSkipped where the first row skipped for its value, its time or its extra cells is and why, so that
     *     a user can see what to fix; empty when none was
     * @param keysNamedBySeveralFiles keys taken from the names of several files without a key column, with those
     *     files, in key order: their rows make one series
     * @param filesOfLocalTimes the files whose first time is ISO-8601 without an offset, read as UTC
     */
    public record Loaded(List<TrainingSeries> series, int files, long rows, long skippedNotFinite,
            long skippedNoTime, long skippedMalformed, long skippedDuplicates, String firstSkipped,
            Map<String, List<Path>> keysNamedBySeveralFiles, List<Path> filesOfLocalTimes) {

        public Loaded {
            series = List.copyOf(series);
            keysNamedBySeveralFiles = Collections.unmodifiableMap(new TreeMap<>(keysNamedBySeveralFiles));
            filesOfLocalTimes = List.copyOf(filesOfLocalTimes);
        }
    }

    private SeriesFiles() {
    }

    /**
     * Reads every CSV file of {@code inputs} (files, or directories searched recursively for {@code *.csv}).
     *
     * @param features the features to read, in model order
     * @param mapping which column each feature is read from
     * @throws IllegalArgumentException if an input does not exist, a directory holds no CSV file, or a file lacks
     *     a needed column
     * @throws UncheckedIOException if reading fails, naming the file
     */
    public static Loaded read(List<Path> inputs, List<String> features, FeatureMapping mapping) {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            files.addAll(csvFiles(input));
        }
        Map<String, List<TimedRow>> byKey = new LinkedHashMap<>();
        long rows = 0;
        long notFinite = 0;
        long noTime = 0;
        long malformed = 0;
        String firstSkipped = "";
        Map<String, List<Path>> filesByName = new TreeMap<>();
        List<Path> localTimes = new ArrayList<>();
        for (Path file : files) {
            boolean timeSeen = false;
            try (SeriesCsvReader reader = SeriesCsvReader.open(file, mapping)) {
                if (!reader.header().contains(SeriesCsvReader.KEY_COLUMN)) {
                    filesByName.computeIfAbsent(reader.defaultKey(), key -> new ArrayList<>()).add(file);
                }
                while (reader.hasNext()) {
                    SeriesRow row = reader.next();
                    rows++;
                    if (!row.wellFormed()) {
                        malformed++;
                        if (firstSkipped.isEmpty()) {
                            firstSkipped = file + " row " + row.line() + ": " + row.extraCells() + " more cell(s)"
                                    + " than the header names";
                        }
                        continue;
                    }
                    if (!timeSeen && row.hasTime()) {
                        // A file's first time says how it writes them all.
                        timeSeen = true;
                        if (Timestamps.withoutOffset(row.timestampText())) {
                            localTimes.add(file);
                        }
                    }
                    if (!row.hasTime() || row.timestamp() < 0) {
                        noTime++;
                        if (firstSkipped.isEmpty()) {
                            firstSkipped = file + " row " + row.line() + ": the time " + (row.hasTime()
                                    ? "'" + row.timestampText() + "' is before 1970"
                                    : Timestamps.whyNot(row.timestampText()));
                        }
                        continue;
                    }
                    double[] values = new double[features.size()];
                    boolean finite = true;
                    for (int f = 0; f < values.length; f++) {
                        values[f] = row.values().get(features.get(f));
                        finite &= Double.isFinite(values[f]) && Math.abs(values[f]) <= Forecaster.MAX_ABS_VALUE;
                    }
                    if (!finite) {
                        notFinite++;
                        if (firstSkipped.isEmpty()) {
                            firstSkipped = file + " row " + row.line() + ": a value of " + features
                                    + " is missing, not a number or beyond +-" + Forecaster.MAX_ABS_VALUE;
                        }
                        continue;
                    }
                    byKey.computeIfAbsent(row.key(), key -> new ArrayList<>()).add(new TimedRow(row.timestamp(),
                            values));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
            } catch (UncheckedIOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        }
        List<TrainingSeries> series = new ArrayList<>();
        long duplicates = 0;
        for (Map.Entry<String, List<TimedRow>> entry : byKey.entrySet()) {
            List<TimedRow> keyRows = entry.getValue();
            keyRows.sort(Comparator.comparingLong(TimedRow::time));
            double[] values = new double[keyRows.size() * features.size()];
            long[] times = new long[keyRows.size()];
            int kept = 0;
            for (int i = 0; i < keyRows.size(); i++) {
                if (i > 0 && keyRows.get(i).time() == keyRows.get(i - 1).time()) {
                    duplicates++;
                    continue;
                }
                System.arraycopy(keyRows.get(i).values(), 0, values, kept * features.size(), features.size());
                times[kept] = keyRows.get(i).time();
                kept++;
            }
            series.add(TrainingSeries.of(entry.getKey(), Arrays.copyOf(times, kept), features.size(),
                    Arrays.copyOf(values, kept * features.size())));
        }
        // Keys taken from file names that several files share (host-a/cpu.csv and host-b/cpu.csv): their rows are
        // one series, as daily files of one key should be; the caller says so, in case they are not.
        filesByName.values().removeIf(named -> named.size() < 2);
        return new Loaded(series, files.size(), rows, notFinite, noTime, malformed, duplicates, firstSkipped,
                filesByName, localTimes);
    }

    private static List<Path> csvFiles(Path input) {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new IllegalArgumentException(input + ": expected a CSV file or a directory, found nothing");
        }
        try (Stream<Path> walk = Files.walk(input)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(path -> path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException(input + ": expected CSV files (*.csv) in the directory, found"
                        + " none");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + input + ": " + e.getMessage(), e);
        }
    }

    /** A row's time and feature values. */
    private record TimedRow(long time, double[] values) {
    }
}
