package dev.grustream.train;

/**
 * Receives a training run's progress, on the thread that called {@link Trainer#train}. Every method does nothing
 * by default.
 */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** Training is about to start; {@code initial} scores the untrained model (epoch 0). */
    default void started(DataSummary data, EpochReport initial) {
    }

    /** Batch {@code batch} of {@code batches} of epoch {@code epoch} was applied; {@code loss} is its mean loss. */
    default void batch(int epoch, int batch, int batches, double loss) {
    }

    /** Epoch {@code report.epoch()} ended and was validated. */
    default void epoch(EpochReport report) {
    }
}
