package dev.grustream.backtest;

import dev.grustream.forecast.Accuracy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The accuracy of one key's forecasts of one target, per step, fed row by row as a replay produces them: the
 * forecast of step k made at a row is scored against the k-th next row of the same state, against persistence (the
 * value at the forecast's row) and seasonal naive (the last value at least a day before the scored row), with the
 * coverage of its interval.
 *
 * <p>Memory: the last H rows' forecasts and a day of (time, value) pairs. Not thread-safe.
 */
final class StepAccuracy {
    /** The season of seasonal naive: a day. */
    static final long DAY_MS = 86_400_000L;

    /** A value seen at a time: the candidates of seasonal naive. */
    private record Past(long time, double value) {
    }

    /** One row's forecasts of steps 1..H, waiting for their actual values. */
    private record Origin(double value, double[] forecast, double[] lower, double[] upper) {
    }

    private final List<Accuracy> steps;
    private final Accuracy firstEvents = new Accuracy();
    private final int firstEventCount;
    private final Deque<Origin> pending = new ArrayDeque<>();
    private final Deque<Past> day = new ArrayDeque<>();
    private double seasonal = Double.NaN;
    private long origins;

    /**
     * @param horizon the number of steps forecast at each row
     * @param firstEventCount the rows whose one-step forecasts {@link #firstEvents()} measures
     */
    StepAccuracy(int horizon, int firstEventCount) {
        List<Accuracy> perStep = new ArrayList<>(horizon);
        for (int k = 0; k < horizon; k++) {
            perStep.add(new Accuracy());
        }
        this.steps = Collections.unmodifiableList(perStep);
        this.firstEventCount = firstEventCount;
    }

    /**
     * Scores what was forecast for this row, then keeps this row's forecasts.
     *
     * @param restarted whether the key's state restarted at this row: forecasts made before are not scored
     * @param forecast the forecasts made at this row, steps 1..H
     * @param lower their intervals' lower bounds, NaN for none
     * @param upper their intervals' upper bounds, NaN for none
     */
    void add(long time, double actual, boolean restarted, double[] forecast, double[] lower, double[] upper) {
        if (restarted) {
            pending.clear();
        }
        double seasonalNaive = seasonal(time);
        int k = 1;
        for (Origin origin : pending) {
            Accuracy step = steps.get(k - 1);
            step.add(actual, origin.forecast()[k - 1], origin.value());
            step.addSeasonal(actual, origin.forecast()[k - 1], seasonalNaive);
            step.addInterval(actual, origin.lower()[k - 1], origin.upper()[k - 1]);
            k++;
        }
        if (!pending.isEmpty() && origins <= firstEventCount) {
            Origin last = pending.peekFirst();
            firstEvents.add(actual, last.forecast()[0], last.value());
        }
        pending.addFirst(new Origin(actual, forecast, lower, upper));
        if (pending.size() > steps.size()) {
            pending.removeLast();
        }
        day.addLast(new Past(time, actual));
        origins++;
    }

    /** The last value at least a day before {@code time}, keeping only the values that may still serve. */
    private double seasonal(long time) {
        while (!day.isEmpty() && day.peekFirst().time() <= time - DAY_MS) {
            seasonal = day.removeFirst().value();
        }
        return seasonal;
    }

    /** Per step 1..H, the accuracy so far. */
    List<Accuracy> steps() {
        return steps;
    }

    /** The one-step accuracy of the forecasts made at the first rows. */
    Accuracy firstEvents() {
        return firstEvents;
    }
}
