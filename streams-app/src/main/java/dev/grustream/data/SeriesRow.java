package dev.grustream.data;

import java.util.Map;

/**
 * One row of a series CSV file.
 *
 * @param line the row's number in the file, counting the header as row 1 (its line number when no cell spans
 *     lines)
 * @param key the series the row belongs to
 * @param timestampText the timestamp exactly as written in the file
 * @param timestamp the timestamp in epoch milliseconds, or {@link #NO_TIME} when it could not be parsed
 * @param values the model features by name; a cell that is empty or not a number reads as NaN
 * @param extraCells how many more cells the row has than the header names: a row that is not {@link #wellFormed}
 *     (an unquoted decimal comma, a value that holds the separator) is read no further
 */
public record SeriesRow(long line, String key, String timestampText, long timestamp, Map<String, Double> values,
        int extraCells) {
    /** The timestamp of a row whose timestamp could not be parsed. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public boolean hasTime() {
        return timestamp != NO_TIME;
    }

    /** Whether the row has no more cells than the header: its cells can be told apart. */
    public boolean wellFormed() {
        return extraCells == 0;
    }
}
