package dev.grustream.train;

import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.GateVariant;
import dev.grustream.model.ModelFormatException;
import dev.grustream.model.ModelLoader;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import dev.grustream.model.PerKeyScaling;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What to train and how: the model's shape, declared once as a {@link ModelSpec} whose normalisation statistics
 * training fits, and the optimisation's settings.
 *
 * <p>{@code TrainingConfig.builder().model(TrainingConfig.defaultModel(List.of("value"), List.of("value"))
 * .hiddenSize(64)).epochs(50).build()}
 *
 * <p>Built with {@link #builder()}, which holds a default for every optimisation setting; the model has none
 * but what {@link #defaultModel} gives. {@link Builder#build()} names the offending field of the first invalid
 * setting. Immutable and thread-safe.
 */
public final class TrainingConfig {

    /** Per-key normalisation used unless told otherwise: a day of 5-minute events as half-life. */
    public static final PerKeyScaling DEFAULT_PER_KEY = new PerKeyScaling(288, 8, 0.001);
    /** The longest training window: a million steps of back-propagation already hold hundreds of MB per thread. */
    public static final int MAX_WINDOW = 1_000_000;

    private final ModelSpec model;
    private final ForecastRules rules;
    private final int epochs;
    private final int window;
    private final int batch;
    private final double learningRate;
    private final double clipNorm;
    private final double validationFraction;
    private final int patience;
    private final long seed;
    private final int threads;

    private TrainingConfig(Builder builder, ModelSpec model) {
        this.model = model;
        this.rules = builder.rules;
        this.epochs = builder.epochs;
        this.window = builder.window;
        this.batch = builder.batch;
        this.learningRate = builder.learningRate;
        this.clipNorm = builder.clipNorm;
        this.validationFraction = builder.validationFraction;
        this.patience = builder.patience;
        this.seed = builder.seed;
        this.threads = builder.threads;
    }

    /** A builder with the default optimisation settings: 100 epochs, windows of 64, batches of 32, ... */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The model shape used unless told otherwise: name {@code gru-stream-model}, version 1, 32 hidden units, one
     * reset-after layer, per-key normalisation {@link #DEFAULT_PER_KEY}, horizon 1, no calendar inputs. Its
     * normalisation's mean and standard deviation are placeholders that training fits.
     */
    public static ModelSpec.Builder defaultModel(List<String> features, List<String> targets) {
        return ModelSpec.builder().name("gru-stream-model").version("1").features(features).targets(targets)
                .hiddenSize(32).numLayers(1).gateVariant(GateVariant.RESET_AFTER)
                .normalization(unitNormalization(features.size(), DEFAULT_PER_KEY));
    }

    /**
     * A normalisation of {@code features} features with mean 0 and standard deviation 1: per key with
     * {@code perKey}, fixed when it is null. Training replaces its mean and standard deviation.
     */
    public static Normalization unitNormalization(int features, PerKeyScaling perKey) {
        double[] zeros = new double[features];
        double[] ones = new double[features];
        Arrays.fill(ones, 1.0);
        return perKey == null ? Normalization.fixed(zeros, ones) : Normalization.perKey(zeros, ones, perKey);
    }

    /**
     * The model to train: names, sizes, gate variant, horizon, calendar inputs and normalisation scheme; training
     * fits the normalisation's statistics and the weights.
     */
    public ModelSpec model() {
        return model;
    }

    /**
     * The rules the training replays keys with, as the service would (resets, refusals), but without learning: it
     * is the model's own forecasts that training fits and judges.
     */
    public ForecastRules rules() {
        return rules;
    }

    /** The most epochs to train (early stopping may end sooner). */
    public int epochs() {
        return epochs;
    }

    /** Steps per training window: the truncation length of back-propagation through time. */
    public int window() {
        return window;
    }

    /** Windows per optimiser step. */
    public int batch() {
        return batch;
    }

    /** Adam's learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** The largest global norm of a gradient; larger gradients are scaled down to it. */
    public double clipNorm() {
        return clipNorm;
    }

    /** The fraction of every series, at its end, held out for validation. */
    public double validationFraction() {
        return validationFraction;
    }

    /** Epochs without a better validation loss before training stops. */
    public int patience() {
        return patience;
    }

    /** The seed of the initial weights and of the order of the windows. */
    public long seed() {
        return seed;
    }

    /** Threads computing gradients; the weights do not depend on it. */
    public int threads() {
        return threads;
    }

    /** Collects and validates the settings. Not thread-safe; use once. */
    public static final class Builder {
        private ModelSpec.Builder model;
        private ForecastRules rules = ForecastRules.defaults().withoutLearning();
        private int epochs = 100;
        private int window = 64;
        private int batch = 32;
        private double learningRate = 3e-3;
        private double clipNorm = 1.0;
        private double validationFraction = 0.2;
        private int patience = 8;
        private long seed = 42;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {
        }

        /** The model to train; its normalisation's statistics are placeholders (see {@link #unitNormalization}). */
        public Builder model(ModelSpec.Builder model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The rules of the replays; learning is turned off in them. */
        public Builder rules(ForecastRules rules) {
            this.rules = Objects.requireNonNull(rules, "rules").withoutLearning();
            return this;
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder window(int window) {
            this.window = window;
            return this;
        }

        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder clipNorm(double clipNorm) {
            this.clipNorm = clipNorm;
            return this;
        }

        public Builder validationFraction(double validationFraction) {
            this.validationFraction = validationFraction;
            return this;
        }

        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Validates the settings and the model's shape and returns the configuration.
         *
         * @throws IllegalArgumentException naming the setting, the expected and the found value
         */
        public TrainingConfig build() {
            if (model == null) {
                throw new IllegalArgumentException("model: expected the shape of the model to train, found nothing");
            }
            ModelSpec spec = model.build();
            try {
                ModelLoader.requireModestSize(spec);
            } catch (ModelFormatException e) {
                throw new IllegalArgumentException("the model would be too large to serve (the service, backtest"
                        + " and model publish refuse it): " + e.getMessage() + "; lower --hidden or --layers");
            }
            atLeast("epochs", epochs, 1);
            atLeast("window", window, 1);
            atMost("window", window, MAX_WINDOW);
            atLeast("batch", batch, 1);
            atLeast("patience", patience, 1);
            atLeast("threads", threads, 1);
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate: expected a finite number > 0, found "
                        + learningRate);
            }
            if (!(clipNorm > 0) || !Double.isFinite(clipNorm)) {
                throw new IllegalArgumentException("clip: expected a finite number > 0, found " + clipNorm);
            }
            if (!(validationFraction >= 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validation: expected a fraction in [0, 1), found "
                        + validationFraction);
            }
            return new TrainingConfig(this, spec);
        }

        private static void atMost(String field, int value, int maximum) {
            if (value > maximum) {
                throw new IllegalArgumentException(field + ": expected an integer <= " + maximum + ", found "
                        + value);
            }
        }

        private static void atLeast(String field, int value, int minimum) {
            if (value < minimum) {
                throw new IllegalArgumentException(field + ": expected an integer >= " + minimum + ", found "
                        + value);
            }
        }
    }
}
