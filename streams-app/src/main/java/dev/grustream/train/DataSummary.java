package dev.grustream.train;

/**
 * What a training run trains on.
 *
 * @param keys the number of series
 * @param trainRows rows in the training part of the series (all but the last validation fraction of each)
 * @param validationRows rows in the validation part
 * @param windows training windows (truncated back-propagation segments) per epoch
 * @param batchesPerEpoch optimiser steps per epoch
 * @param parameters the number of trainable parameters
 */
public record DataSummary(int keys, long trainRows, long validationRows, int windows, int batchesPerEpoch,
        int parameters) {
}
