package dev.grustream.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
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
 * (default: the file name without extension) and one column per model feature. A row with fewer cells than the
 * header reads the missing ones as empty; one with more that are not blank is returned as not
 * {@link SeriesRow#wellFormed}, with its key and timestamp text but no time and NaN values, since which cell is which
 * cannot be told. Header names are trimmed. Blank lines, before the header too, are no rows; a row's
 * {@link SeriesRow#line} is its line in the file all the same.
 *
 * <p>{@code try (SeriesCsvReader rows = SeriesCsvReader.open(file, mapping)) { rows.forEachRemaining(...); }}
 * Memory does not grow with the file: one row is held at a time.
 *
 * <p>Not thread-safe.
 */
public final class SeriesCsvReader implements Iterator<SeriesRow>, Closeable {
    public static final String TIMESTAMP_COLUMN = "timestamp";
    public static final String KEY_COLUMN = "key";

    private final MappingIterator<List<String>> rows;
    private final List<String> header;
    private final int keyIndex;
    private final int timestampIndex;
    /** Each feature's column index in the header. */
    private final Map<String, Integer> featureIndex = new HashMap<>();
    private final String defaultKey;
    /** The file's line of the last row read: the header's, at first. */
    private long line;
    /** The next row, read ahead past blank lines by {@link #hasNext}; null when not read yet. */
    private List<String> pending;

    private SeriesCsvReader(MappingIterator<List<String>> rows, long headerLine, List<String> header,
            FeatureMapping mapping, String defaultKey) {
        this.rows = rows;
        this.line = headerLine;
        this.header = header;
        this.keyIndex = header.indexOf(KEY_COLUMN);
        this.timestampIndex = header.indexOf(TIMESTAMP_COLUMN);
        mapping.columns().forEach((feature, column) -> featureIndex.put(feature, header.indexOf(column)));
        this.defaultKey = defaultKey;
    }

    /**
     * Opens {@code file} and checks its header.
     *
     * @throws IllegalArgumentException naming the file and the column when the header lacks the timestamp column or
     *     a feature column, or names a column twice
     */
    public static SeriesCsvReader open(Path file, FeatureMapping mapping) throws IOException {
        // Rows as lists of cells, the header among them, rather than maps keyed by the header: Jackson refuses a row
        // with more cells than a header schema names by an exception that ends the file's reading.
        CsvMapper mapper = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();
        MappingIterator<List<String>> rows = mapper.readerForListOf(String.class).with(CsvSchema.emptySchema())
                .readValues(file.toFile());
        List<String> header = new ArrayList<>();
        long headerLine = 0;
        try {
            List<String> first = List.of();
            while (first.isEmpty() && rows.hasNextValue()) {
                first = nonBlank(rows.nextValue());
                headerLine++;
            }
            if (!first.isEmpty()) {
                // As Jackson's header schema reads a header: names trimmed, trailing empty ones (trailing commas)
                // dropped.
                first.forEach(name -> header.add(name.trim()));
                while (!header.isEmpty() && header.get(header.size() - 1).isEmpty()) {
                    header.remove(header.size() - 1);
                }
            }
            for (int i = 0; i < header.size(); i++) {
                if (header.indexOf(header.get(i)) != i) {
                    // Cells are found by their column's name: a second column of the same name would never be
                    // read.
                    throw new IllegalArgumentException(file + ": the column '" + header.get(i) + "' appears more"
                            + " than once in the header " + header);
                }
            }
            for (String name : header) {
                if (!name.equals(KEY_COLUMN) && name.equalsIgnoreCase(KEY_COLUMN)
                        && !mapping.columns().containsValue(name)) {
                    // Taken for a column of data, it would leave every row one series, named after the file.
                    throw new IllegalArgumentException(file + ": the column '" + name + "' is not the series key,"
                            + " whose column is named '" + KEY_COLUMN + "' in lower case: rename it");
                }
            }
            if (!header.contains(TIMESTAMP_COLUMN)) {
                throw new IllegalArgumentException(file + ": no '" + TIMESTAMP_COLUMN + "' column in the header "
                        + header);
            }
            for (Map.Entry<String, String> entry : mapping.columns().entrySet()) {
                if (!header.contains(entry.getValue())) {
                    throw new IllegalArgumentException(file + ": no column '" + entry.getValue() + "' for feature '"
                            + entry.getKey() + "' in the header " + header + " (map columns with --features)");
                }
            }
        } catch (IOException | RuntimeException e) {
            // A header that cannot be read (bytes that are not UTF-8, say) or that lacks a column: the file is
            // closed here, since no reader is returned to close it.
            rows.close();
            throw e;
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return new SeriesCsvReader(rows, headerLine, List.copyOf(header), mapping,
                dot > 0 ? name.substring(0, dot) : name);
    }

    /**
     * {@code cells}, or none for a blank line, which Jackson reads as one cell of nothing or white space, or a line of
     * separators only, which spreadsheets write after the last row: no row.
     */
    private static List<String> nonBlank(List<String> cells) {
        return cells.stream().allMatch(String::isBlank) ? List.of() : cells;
    }

    /** The key of rows without one of their own: the file's name without its extension. */
    public String defaultKey() {
        return defaultKey;
    }

    /** The column names of the header, in file order. */
    public List<String> header() {
        return header;
    }

    @Override
    public boolean hasNext() {
        try {
            while (pending == null && rows.hasNextValue()) {
                List<String> cells = nonBlank(rows.nextValue());
                line++;
                if (!cells.isEmpty()) {
                    pending = cells;
                }
            }
            return pending != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SeriesRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<String> cells = pending;
        pending = null;
        String key = cell(cells, keyIndex);
        String timestampText = cell(cells, timestampIndex);
        String rowKey = key.isBlank() ? defaultKey : key;
        int extra = extraCells(cells);
        Map<String, Double> values = new HashMap<>();
        featureIndex.forEach((feature, index) -> values.put(feature,
                extra > 0 ? Double.NaN : number(cell(cells, index))));
        return new SeriesRow(line, rowKey, timestampText, extra > 0 ? SeriesRow.NO_TIME : time(timestampText),
                values, Math.max(0, extra));
    }

    /** Cells beyond the header's, not counting empty ones at the end of the row (a trailing comma). */
    private int extraCells(List<String> cells) {
        int last = cells.size();
        while (last > header.size() && cells.get(last - 1).isBlank()) {
            last--;
        }
        return last - header.size();
    }

    /** Cell {@code index} of {@code cells}, empty where the header has no such column (-1) or the row ends first. */
    private static String cell(List<String> cells, int index) {
        return index >= 0 && index < cells.size() ? cells.get(index) : "";
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
