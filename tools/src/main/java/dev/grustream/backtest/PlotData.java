package dev.grustream.backtest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The points of actual against forecast of the first {@code maxKeys} keys of a backtest, for a chart. It holds
 * every row of those keys, so its memory grows with their length (and only theirs).
 *
 * <p>Not thread-safe.
 */
public final class PlotData {
    /**
     * One point: the time, the actual value, the forecast made for it and that forecast's interval (NaN if none),
     * whether it alerted.
     */
    public record Point(long time, double actual, double forecast, double lower, double upper, boolean alert) {
    }

    private final int maxKeys;
    private final Map<String, List<Point>> pointsByKey = new LinkedHashMap<>();
    private final Map<String, double[]> nextBand = new HashMap<>();

    public PlotData(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    void add(String key, Point point) {
        List<Point> points = pointsByKey.get(key);
        if (points == null) {
            if (pointsByKey.size() >= maxKeys) {
                return;
            }
            points = new ArrayList<>();
            pointsByKey.put(key, points);
        }
        points.add(point);
    }

    /** Keeps the interval of {@code key}'s latest one-step forecast, which its next point is drawn with. */
    void band(String key, double lower, double upper) {
        if (pointsByKey.containsKey(key)) {
            nextBand.put(key, new double[] {lower, upper});
        }
    }

    /** The interval of {@code key}'s latest one-step forecast, or null. */
    double[] band(String key) {
        return nextBand.get(key);
    }

    /** The plotted keys in first-seen order, with their points in row order. */
    public Map<String, List<Point>> pointsByKey() {
        return pointsByKey;
    }
}
