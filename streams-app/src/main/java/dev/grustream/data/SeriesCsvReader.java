package dev.grustream.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads a series CSV file row by row: a header row, a {@code timestamp} column, an optional {@code key} column
 * (default: the file name without extension) and one column per model feature.
 *
 * <p>{@code try (SeriesCsvReader rows = SeriesCsvReader.open(file, mapping)) { rows.forEachRemaining(...); }}
 * Memory does not grow with the file: one row is held at a time.
 *
 * <p>Not thread-safe.
 */
public final class SeriesCsvReader implements Iterator<SeriesRow>, Closeable {
    public static final String TIMESTAMP_COLUMN = "timestamp";
    public static final String KEY_COLUMN = "key";

    private final MappingIterator<Map<String, String>> rows;
    private final List<String> header;
    private final FeatureMapping mapping;
    private final String defaultKey;
    private long line = 1;

    private SeriesCsvReader(MappingIterator<Map<String, String>> rows, List<String> header, FeatureMapping mapping,
            String defaultKey) {
        this.rows = rows;
        this.header = header;
        this.mapping = mapping;
        this.defaultKey = defaultKey;
    }

    /**
     * Opens {@code file} and checks its header.
     *
     * @throws IllegalArgumentException naming the file and the column when the header lacks the timestamp column or
     *     a feature column, or names a column twice
     */
    public static SeriesCsvReader open(Path file, FeatureMapping mapping) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class).with(schema)
                .readValues(file.toFile());
        CsvSchema parsed = (CsvSchema) rows.getParserSchema();
        List<String> header = new ArrayList<>();
        parsed.forEach(column -> header.add(column.getName()));
        for (int i = 0; i < header.size(); i++) {
            if (header.indexOf(header.get(i)) != i) {
                rows.close();
                // Rows are read into a map by column name: a second column of the same name would win silently.
                throw new IllegalArgumentException(file + ": the column '" + header.get(i) + "' appears more than"
                        + " once in the header " + header);
            }
        }
        if (!header.contains(TIMESTAMP_COLUMN)) {
            rows.close();
            throw new IllegalArgumentException(file + ": no '" + TIMESTAMP_COLUMN + "' column in the header "
                    + header);
        }
        for (Map.Entry<String, String> entry : mapping.columns().entrySet()) {
            if (!header.contains(entry.getValue())) {
                rows.close();
                throw new IllegalArgumentException(file + ": no column '" + entry.getValue() + "' for feature '"
                        + entry.getKey() + "' in the header " + header + " (map columns with --features)");
            }
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return new SeriesCsvReader(rows, List.copyOf(header), mapping, dot > 0 ? name.substring(0, dot) : name);
    }

    /** The column names of the header, in file order. */
    public List<String> header() {
        return header;
    }

    @Override
    public boolean hasNext() {
        try {
            return rows.hasNextValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SeriesRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        try {
            Map<String, String> cells = rows.nextValue();
            line++;
            String key = cells.getOrDefault(KEY_COLUMN, "");
            String timestampText = cells.getOrDefault(TIMESTAMP_COLUMN, "");
            Map<String, Double> values = new HashMap<>();
            mapping.columns().forEach((feature, column) -> values.put(feature, number(cells.get(column))));
            return new SeriesRow(line, key.isBlank() ? defaultKey : key, timestampText, time(timestampText),
                    values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long time(String text) {
        try {
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            return SeriesRow.NO_TIME;
        }
    }

    private static double number(String text) {
        if (text == null || text.isBlank()) {
            return Double.NaN;
        }
        try {
            return Decimals.parse(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() throws IOException {
        rows.close();
    }
}
