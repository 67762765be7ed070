package dev.grustream.train;

import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run: the model of the best epoch and how it got there.
 *
 * @param model the model of the epoch with the lowest validation loss (the last epoch without validation rows)
 * @param data what was trained on
 * @param epochs one report per epoch, epoch 0 (the untrained model) first
 * @param bestEpoch the epoch {@code model} comes from
 * @param validationAccuracy per key, in input order, the accuracy of {@code model}'s forecasts of each target over
 *     the key's validation rows
 * @param skippedSeries keys left out because they had too few rows to train on (fewer than 2 training rows)
 * @param nanos the whole run's wall-clock time
 * @param trainingNanos the time spent in training windows, without validation
 * @param trainedRows forecast steps trained on, summed over epochs (one step per row and epoch)
 */
public record TrainingResult(GruModel model, DataSummary data, List<EpochReport> epochs, int bestEpoch,
        Map<String, List<Accuracy>> validationAccuracy, List<String> skippedSeries, long nanos, long trainingNanos,
        long trainedRows) {

    public TrainingResult {
        epochs = List.copyOf(epochs);
        validationAccuracy = Collections.unmodifiableMap(new LinkedHashMap<>(validationAccuracy));
        skippedSeries = List.copyOf(skippedSeries);
    }

    /** The report of the best epoch. */
    public EpochReport best() {
        return epochs.get(bestEpoch);
    }

    /** Rows (forecast steps) trained per second of training, forward and backward pass included. */
    public double rowsPerSecond() {
        return trainingNanos == 0 ? Double.NaN : trainedRows / (trainingNanos / 1e9);
    }
}
