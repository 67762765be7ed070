package dev.grustream.train;

/**
 * How well one-step forecasts of one target did over some rows, against the persistence forecast (the last
 * observed value), in raw units.
 *
 * @param rows the number of forecasts scored
 * @param absoluteError the sum of |actual - forecast|
 * @param naiveAbsoluteError the sum of |actual - previous actual|: the persistence forecast's error on the same rows
 */
public record Accuracy(long rows, double absoluteError, double naiveAbsoluteError) {

    /**
     * The mean absolute scaled error: the mean absolute error divided by the persistence forecast's on the same
     * rows; below 1 beats persistence. NaN when there are no rows or the series never changed.
     */
    public double mase() {
        return rows == 0 || naiveAbsoluteError == 0 ? Double.NaN : absoluteError / naiveAbsoluteError;
    }

    /** The mean absolute error, NaN without rows. */
    public double meanAbsoluteError() {
        return rows == 0 ? Double.NaN : absoluteError / rows;
    }
}
