package dev.grustream.train;

/**
 * The outcome of one training epoch, validated; epoch 0 describes the untrained model.
 *
 * @param epoch the epoch, from 1 (0 before training)
 * @param trainLoss the mean squared error in normalised units over the targets (every step of the head) that exist in
 *     the epoch's training windows (NaN for epoch 0)
 * @param validationLoss the mean squared error in normalised units of every step of the head (1 to the horizon) over
 *     the validation rows of all keys (NaN without validation rows)
 * @param persistenceLoss the same for the persistence forecast, the baseline to beat
 * @param validationMase the median over keys of the validation MASE of the first target (NaN without validation
 *     rows)
 * @param best whether this epoch has the lowest validation loss so far (its model is kept)
 * @param learningRate the learning rate used during the epoch
 * @param nanos the epoch's wall-clock time, validation included
 */
public record EpochReport(int epoch, double trainLoss, double validationLoss, double persistenceLoss,
        double validationMase, boolean best, double learningRate, long nanos) {
}
