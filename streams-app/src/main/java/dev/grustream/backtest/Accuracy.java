package dev.grustream.backtest;

/**
 * One-step forecast accuracy of one target: MAE, RMSE, MAPE and MASE against the persistence forecast (the
 * previous value), accumulated row by row.
 *
 * <p>MASE is the mean absolute forecast error divided by the mean absolute error of persistence on the same rows:
 * below 1 the model beats "tomorrow equals today". MAPE skips rows whose actual value is 0. Not thread-safe.
 */
public final class Accuracy {
    private long count;
    private double sumAbs;
    private double sumSquares;
    private long percentCount;
    private double sumPercent;
    private long scaledCount;
    private double sumScaledAbs;
    private double sumNaiveAbs;

    /**
     * Adds one row.
     *
     * @param actual the observed value
     * @param forecast what was forecast for it
     * @param previous the key's previous observed value, or NaN when there was none
     */
    public void add(double actual, double forecast, double previous) {
        double error = Math.abs(actual - forecast);
        count++;
        sumAbs += error;
        sumSquares += error * error;
        if (actual != 0) {
            percentCount++;
            sumPercent += error / Math.abs(actual);
        }
        if (!Double.isNaN(previous)) {
            scaledCount++;
            sumScaledAbs += error;
            sumNaiveAbs += Math.abs(actual - previous);
        }
    }

    /** Adds every row of {@code other}. */
    public void addAll(Accuracy other) {
        count += other.count;
        sumAbs += other.sumAbs;
        sumSquares += other.sumSquares;
        percentCount += other.percentCount;
        sumPercent += other.sumPercent;
        scaledCount += other.scaledCount;
        sumScaledAbs += other.sumScaledAbs;
        sumNaiveAbs += other.sumNaiveAbs;
    }

    public long count() {
        return count;
    }

    public double mae() {
        return count == 0 ? Double.NaN : sumAbs / count;
    }

    public double rmse() {
        return count == 0 ? Double.NaN : Math.sqrt(sumSquares / count);
    }

    /** Mean absolute percentage error, in percent; NaN when every actual was 0. */
    public double mape() {
        return percentCount == 0 ? Double.NaN : 100 * sumPercent / percentCount;
    }

    /** Mean absolute scaled error against persistence; NaN when persistence made no error at all. */
    public double mase() {
        return sumNaiveAbs == 0 ? Double.NaN : sumScaledAbs / sumNaiveAbs;
    }
}
