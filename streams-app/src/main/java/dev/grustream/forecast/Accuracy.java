package dev.grustream.forecast;

import java.util.Objects;

/**
 * How well forecasts of one target did, accumulated forecast by forecast: MAE, RMSE, MAPE, MASE against persistence
 * (the value at the forecast's origin) and against seasonal naive (the value a day before the target's time), and
 * the share of actual values inside the forecasts' prediction intervals. Training, the backtest and the NAB
 * evaluation all measure with it.
 *
 * <p>MASE is the mean absolute error divided by the comparison forecast's on the same forecasts: below 1 beats it.
 * MAPE skips actual values of 0. Mutable and not thread-safe.
 */
public final class Accuracy {
    private long count;
    private double sumAbs;
    private double sumSquares;
    private long percentCount;
    private double sumPercent;
    private long persistenceCount;
    private double sumAbsAgainstPersistence;
    private double sumPersistenceAbs;
    private long seasonalCount;
    private double sumAbsAgainstSeasonal;
    private double sumSeasonalAbs;
    private long intervals;
    private long covered;

    /**
     * Adds one forecast.
     *
     * @param actual the value that came
     * @param forecast what was forecast for it
     * @param persistence the value at the forecast's origin, or NaN when there was none
     */
    public void add(double actual, double forecast, double persistence) {
        double error = Math.abs(actual - forecast);
        count++;
        sumAbs += error;
        sumSquares += error * error;
        if (actual != 0) {
            percentCount++;
            sumPercent += error / Math.abs(actual);
        }
        if (!Double.isNaN(persistence)) {
            persistenceCount++;
            sumAbsAgainstPersistence += error;
            sumPersistenceAbs += Math.abs(actual - persistence);
        }
    }

    /** Adds the comparison of a forecast with seasonal naive's, {@code seasonal}; ignored when it is NaN. */
    public void addSeasonal(double actual, double forecast, double seasonal) {
        if (!Double.isNaN(seasonal)) {
            seasonalCount++;
            sumAbsAgainstSeasonal += Math.abs(actual - forecast);
            sumSeasonalAbs += Math.abs(actual - seasonal);
        }
    }

    /** Adds whether {@code actual} fell inside {@code [lower, upper]}; ignored when the forecast had no interval. */
    public void addInterval(double actual, double lower, double upper) {
        if (!Double.isNaN(lower) && !Double.isNaN(upper)) {
            intervals++;
            covered += actual >= lower && actual <= upper ? 1 : 0;
        }
    }

    /** Adds everything {@code other} holds. */
    public void addAll(Accuracy other) {
        count += other.count;
        sumAbs += other.sumAbs;
        sumSquares += other.sumSquares;
        percentCount += other.percentCount;
        sumPercent += other.sumPercent;
        persistenceCount += other.persistenceCount;
        sumAbsAgainstPersistence += other.sumAbsAgainstPersistence;
        sumPersistenceAbs += other.sumPersistenceAbs;
        seasonalCount += other.seasonalCount;
        sumAbsAgainstSeasonal += other.sumAbsAgainstSeasonal;
        sumSeasonalAbs += other.sumSeasonalAbs;
        intervals += other.intervals;
        covered += other.covered;
    }

    /** The number of forecasts added. */
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

    /**
     * Mean absolute scaled error against persistence; NaN when neither made an error (or nothing was compared),
     * infinite when only persistence made none.
     */
    public double mase() {
        return scaled(sumAbsAgainstPersistence, sumPersistenceAbs);
    }

    /**
     * Mean absolute scaled error against seasonal naive; NaN without comparisons or when neither made an error,
     * infinite when only seasonal naive made none.
     */
    public double seasonalMase() {
        return scaled(sumAbsAgainstSeasonal, sumSeasonalAbs);
    }

    private static double scaled(double errors, double comparisonErrors) {
        if (comparisonErrors == 0) {
            return errors == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        }
        return errors / comparisonErrors;
    }

    /** The share of actual values inside their forecast's interval; NaN when no forecast had one. */
    public double coverage() {
        return intervals == 0 ? Double.NaN : (double) covered / intervals;
    }

    /** The number of forecasts with an interval. */
    public long intervals() {
        return intervals;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Accuracy that && count == that.count && sumAbs == that.sumAbs
                && sumSquares == that.sumSquares && percentCount == that.percentCount
                && sumPercent == that.sumPercent && persistenceCount == that.persistenceCount
                && sumAbsAgainstPersistence == that.sumAbsAgainstPersistence
                && sumPersistenceAbs == that.sumPersistenceAbs && seasonalCount == that.seasonalCount
                && sumAbsAgainstSeasonal == that.sumAbsAgainstSeasonal && sumSeasonalAbs == that.sumSeasonalAbs
                && intervals == that.intervals && covered == that.covered;
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, sumAbs, sumPersistenceAbs, sumSeasonalAbs, intervals, covered);
    }

    @Override
    public String toString() {
        return "Accuracy{count=" + count + ", mae=" + mae() + ", mase=" + mase() + "}";
    }
}
