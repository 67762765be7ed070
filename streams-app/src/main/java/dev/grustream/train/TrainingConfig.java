package dev.grustream.train;

import dev.grustream.model.GateVariant;
import dev.grustream.model.PerKeyScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to train and how: the model's shape and normalisation, and the optimisation's settings.
 *
 * <p>Built with {@link #builder()}, which holds a default for everything but the features and targets;
 * {@link Builder#build()} names the offending field of the first invalid setting.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrainingConfig {

    /** Per-key normalisation used unless told otherwise: a day of 5-minute events as half-life. */
    public static final PerKeyScaling DEFAULT_PER_KEY = new PerKeyScaling(288, 8, 0.001);

    private final String name;
    private final String version;
    private final List<String> features;
    private final List<String> targets;
    private final int hiddenSize;
    private final int numLayers;
    private final GateVariant gateVariant;
    private final PerKeyScaling perKey;
    private final int epochs;
    private final int window;
    private final int batch;
    private final double learningRate;
    private final double clipNorm;
    private final double validationFraction;
    private final int patience;
    private final long seed;
    private final int threads;

    private TrainingConfig(Builder builder) {
        this.name = builder.name;
        this.version = builder.version;
        this.features = List.copyOf(builder.features);
        this.targets = List.copyOf(builder.targets);
        this.hiddenSize = builder.hiddenSize;
        this.numLayers = builder.numLayers;
        this.gateVariant = builder.gateVariant;
        this.perKey = builder.perKey;
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

    /** A builder with the defaults: H = 32, 1 layer, reset-after, per-key normalisation, 100 epochs, ... */
    public static Builder builder() {
        return new Builder();
    }

    /** The model's name. */
    public String name() {
        return name;
    }

    /** The model's version. */
    public String version() {
        return version;
    }

    /** The input features, in input order. */
    public List<String> features() {
        return features;
    }

    /** The forecast targets, each one of the features. */
    public List<String> targets() {
        return targets;
    }

    /** Hidden units per layer. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Stacked GRU layers. */
    public int numLayers() {
        return numLayers;
    }

    /** Where the reset gate applies. */
    public GateVariant gateVariant() {
        return gateVariant;
    }

    /** The per-key normalisation parameters, or empty for the fixed global normalisation. */
    public Optional<PerKeyScaling> perKey() {
        return Optional.ofNullable(perKey);
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
        private String name = "gru-stream-model";
        private String version = "1";
        private List<String> features;
        private List<String> targets;
        private int hiddenSize = 32;
        private int numLayers = 1;
        private GateVariant gateVariant = GateVariant.RESET_AFTER;
        private PerKeyScaling perKey = DEFAULT_PER_KEY;
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

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder features(List<String> features) {
            this.features = new ArrayList<>(features);
            return this;
        }

        public Builder features(String... features) {
            return features(List.of(features));
        }

        public Builder targets(List<String> targets) {
            this.targets = new ArrayList<>(targets);
            return this;
        }

        public Builder targets(String... targets) {
            return targets(List.of(targets));
        }

        public Builder hiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
            return this;
        }

        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        public Builder gateVariant(GateVariant gateVariant) {
            this.gateVariant = Objects.requireNonNull(gateVariant, "gateVariant");
            return this;
        }

        /** Per-key normalisation with these parameters. */
        public Builder perKey(PerKeyScaling perKey) {
            this.perKey = Objects.requireNonNull(perKey, "perKey");
            return this;
        }

        /** The fixed global normalisation instead of the per-key one. */
        public Builder fixedNormalization() {
            this.perKey = null;
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
         * Validates the settings and returns the configuration. The model's own fields (names, sizes) are checked
         * again by the model spec when training builds it.
         *
         * @throws IllegalArgumentException naming the setting, the expected and the found value
         */
        public TrainingConfig build() {
            if (features == null || features.isEmpty()) {
                throw new IllegalArgumentException("features: expected at least one name, found none");
            }
            if (targets == null || targets.isEmpty()) {
                throw new IllegalArgumentException("targets: expected at least one name, found none");
            }
            for (String target : targets) {
                if (!features.contains(target)) {
                    throw new IllegalArgumentException("targets: expected each to be one of the features " + features
                            + ", found \"" + target + "\"");
                }
            }
            atLeast("hidden size", hiddenSize, 1);
            atLeast("layers", numLayers, 1);
            atLeast("epochs", epochs, 1);
            atLeast("window", window, 1);
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
            return new TrainingConfig(this);
        }

        private static void atLeast(String field, int value, int minimum) {
            if (value < minimum) {
                throw new IllegalArgumentException(field + ": expected an integer >= " + minimum + ", found "
                        + value);
            }
        }
    }
}
