/**
 * Fitting GRU forecasters to history: {@link dev.grustream.train.Trainer} trains a model of package
 * {@code model} on many keys' series ({@link dev.grustream.train.TrainingSeries}, read from CSV files by
 * {@link dev.grustream.train.SeriesFiles}) with a {@link dev.grustream.train.TrainingConfig};
 * {@link dev.grustream.train.ForecastEvaluation} scores a model's one-step forecasts against persistence as the
 * service would make them. Knows nothing of Kafka.
 */
package dev.grustream.train;
