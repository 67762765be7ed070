package dev.grustream.model;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a GRU forecaster is, apart from its weights: the contents of {@code model.json}.
 *
 * <p>Built with {@link #builder()}; {@link Builder#build()} checks every rule of the format and names the
 * offending field in its message. {@code features} are the observed values the model reads, in input order;
 * {@code targets} are the features it forecasts, in output order; {@code calendar} adds inputs computed from
 * each observation's event time ({@link CalendarFeature}), after the features. With {@code horizon > 1} the model
 * forecasts steps 1..horizon of every target, directly from one state ({@link MultiStep#DIRECT}, format v2) or,
 * for format v1 models, by feeding its forecasts back as inputs ({@link MultiStep#RECURSIVE}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelSpec {

    /** The value of {@code format} in {@code model.json} for format v1: no calendar, recursive multi-step. */
    public static final String FORMAT_V1 = "gru-stream/model/v1";
    /** The value of {@code format} in {@code model.json} for format v2: calendar inputs, direct multi-step. */
    public static final String FORMAT_V2 = "gru-stream/model/v2";
    /** The longest horizon a model may have: each key learns one forecaster per step, flagged in one long. */
    public static final int MAX_HORIZON = Long.SIZE;

    private final String name;
    private final String version;
    private final List<String> features;
    private final List<String> targets;
    private final int hiddenSize;
    private final int numLayers;
    private final GateVariant gateVariant;
    private final Normalization normalization;
    private final int horizon;
    private final MultiStep multiStep;
    private final List<CalendarFeature> calendar;
    private final ZoneId timeZone;
    private final int[] targetFeature;
    private final int[] featureTarget;

    private ModelSpec(Builder builder, int[] targetFeature, int[] featureTarget) {
        this.name = builder.name;
        this.version = builder.version;
        this.features = List.copyOf(builder.features);
        this.targets = List.copyOf(builder.targets);
        this.hiddenSize = builder.hiddenSize;
        this.numLayers = builder.numLayers;
        this.gateVariant = builder.gateVariant;
        this.normalization = builder.normalization;
        this.horizon = builder.horizon;
        this.multiStep = builder.multiStep;
        this.calendar = List.copyOf(builder.calendar);
        this.timeZone = builder.timeZone.normalized();
        this.targetFeature = targetFeature;
        this.featureTarget = featureTarget;
    }

    /**
     * A builder with {@code horizon = 1}, {@link MultiStep#DIRECT}, no calendar inputs and time zone UTC; every
     * other field must be set.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this spec's values, for deriving a changed copy. */
    public Builder toBuilder() {
        return new Builder().name(name).version(version).features(features).targets(targets)
                .hiddenSize(hiddenSize).numLayers(numLayers).gateVariant(gateVariant).normalization(normalization)
                .horizon(horizon).multiStep(multiStep).calendar(calendar).timeZone(timeZone);
    }

    /** The model's name ({@code model.json} {@code name}). */
    public String name() {
        return name;
    }

    /** The model's version ({@code model.json} {@code version}); states made by another version are reset. */
    public String version() {
        return version;
    }

    /** The input features' names, in input order. */
    public List<String> features() {
        return features;
    }

    /** The forecast targets' names, in output order; each is also a feature. */
    public List<String> targets() {
        return targets;
    }

    /** The number of hidden units H of every layer. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** The number of stacked GRU layers L. */
    public int numLayers() {
        return numLayers;
    }

    /** Where the reset gate is applied. */
    public GateVariant gateVariant() {
        return gateVariant;
    }

    /** How raw values map to the normalised values the GRU works with. */
    public Normalization normalization() {
        return normalization;
    }

    /** How many steps ahead each forecast reaches (1 = the next event only). */
    public int horizon() {
        return horizon;
    }

    /** How steps after the first are forecast; matters only with {@code horizon > 1}. */
    public MultiStep multiStep() {
        return multiStep;
    }

    /** The calendar inputs, in input order after the features; empty for none. */
    public List<CalendarFeature> calendar() {
        return calendar;
    }

    /** The time zone whose local clock the calendar inputs read (normalised: UTC is {@code ZoneOffset.UTC}). */
    public ZoneId timeZone() {
        return timeZone;
    }

    /** The format that can express this spec: v1 when it has no calendar and no direct multi-step, else v2. */
    public String format() {
        return calendar.isEmpty() && (horizon == 1 || multiStep == MultiStep.RECURSIVE) && timeZone == ZoneOffset.UTC
                ? FORMAT_V1 : FORMAT_V2;
    }

    /** The number of input features F. */
    public int featureCount() {
        return features.size();
    }

    /** The number of forecast targets T. */
    public int targetCount() {
        return targets.size();
    }

    /** The size of one key's hidden state: {@code numLayers * hiddenSize} floats, layer 0 first. */
    public int stateSize() {
        return numLayers * hiddenSize;
    }

    /** The number of forecast values one step writes per key: {@code horizon * targetCount}, step-major. */
    public int forecastSize() {
        return Math.multiplyExact(horizon, targets.size());
    }

    /** The number of values the head computes from a hidden state: every step's targets when direct, else one's. */
    public int headSize() {
        return multiStep == MultiStep.DIRECT ? forecastSize() : targets.size();
    }

    /** The width of the GRU's input: the features, then two values (sine, cosine) per calendar input. */
    public int inputCount() {
        return features.size() + 2 * calendar.size();
    }

    /** The input width of layer {@code layer}: {@link #inputCount()} for layer 0, the hidden size above it. */
    public int inputSize(int layer) {
        return layer == 0 ? inputCount() : hiddenSize;
    }

    /**
     * Writes the GRU input of one observation into {@code out} at {@code offset}: its raw feature values, in
     * feature order, normalised with the key's statistics before this event (see {@link Normalization}), then the
     * calendar inputs of its event time. Training, the service and the backtest all build inputs with it.
     *
     * @param stats the key's statistics; unused, and may be null, for the fixed scheme
     */
    public void writeInputs(double[] raw, KeyStats stats, long eventTime, float[] out, int offset) {
        normalization.normaliseRow(raw, stats, out, offset);
        int at = offset + features.size();
        for (CalendarFeature feature : calendar) {
            feature.write(eventTime, timeZone, out, at);
            at += 2;
        }
    }

    /** The index in {@link #features()} of target {@code target}, used to denormalise its forecasts. */
    public int targetFeatureIndex(int target) {
        return targetFeature[target];
    }

    /**
     * The index in {@link #targets()} of feature {@code feature}, or -1 when it is not a target. With a
     * recursive horizon every feature is a target and this maps forecasts back to inputs.
     */
    public int featureTargetIndex(int feature) {
        return featureTarget[feature];
    }

    /**
     * The raw value of a normalised forecast of target {@code target}, for a fixed normalisation.
     *
     * @throws IllegalStateException for a per-key normalisation, which needs the key's statistics
     */
    public double denormaliseTarget(int target, float normalised) {
        return normalization.denormalise(targetFeature[target], normalised);
    }

    /**
     * The raw value of a normalised forecast of target {@code target} for a key with statistics {@code stats}
     * (see {@link Normalization#denormalise(int, float, KeyStats)}).
     */
    public double denormaliseTarget(int target, float normalised, KeyStats stats) {
        return normalization.denormalise(targetFeature[target], normalised, stats);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelSpec that && name.equals(that.name) && version.equals(that.version)
                && features.equals(that.features) && targets.equals(that.targets) && hiddenSize == that.hiddenSize
                && numLayers == that.numLayers && gateVariant == that.gateVariant
                && normalization.equals(that.normalization) && horizon == that.horizon
                && multiStep == that.multiStep && calendar.equals(that.calendar) && timeZone.equals(that.timeZone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version, features, targets, hiddenSize, numLayers, gateVariant, normalization,
                horizon, multiStep, calendar, timeZone);
    }

    @Override
    public String toString() {
        return "ModelSpec{name=" + name + ", version=" + version + ", features=" + features + ", targets=" + targets
                + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers + ", gateVariant=" + gateVariant
                + ", horizon=" + horizon + (horizon > 1 ? " (" + multiStep + ")" : "")
                + (calendar.isEmpty() ? "" : ", calendar=" + calendar + " in " + timeZone) + ", " + normalization + "}";
    }

    /** Collects and validates the fields of a {@link ModelSpec}. Not thread-safe; use once per spec. */
    public static final class Builder {
        private String name;
        private String version;
        private List<String> features;
        private List<String> targets;
        private int hiddenSize;
        private int numLayers;
        private GateVariant gateVariant;
        private Normalization normalization;
        private int horizon = 1;
        private MultiStep multiStep = MultiStep.DIRECT;
        private List<CalendarFeature> calendar = List.of();
        private ZoneId timeZone = ZoneOffset.UTC;

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
            this.gateVariant = gateVariant;
            return this;
        }

        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        public Builder horizon(int horizon) {
            this.horizon = horizon;
            return this;
        }

        public Builder multiStep(MultiStep multiStep) {
            this.multiStep = Objects.requireNonNull(multiStep, "multiStep");
            return this;
        }

        public Builder calendar(List<CalendarFeature> calendar) {
            this.calendar = new ArrayList<>(calendar);
            return this;
        }

        public Builder calendar(CalendarFeature... calendar) {
            return calendar(List.of(calendar));
        }

        public Builder timeZone(ZoneId timeZone) {
            this.timeZone = Objects.requireNonNull(timeZone, "timeZone");
            return this;
        }

        /**
         * Validates the fields and returns the spec.
         *
         * @throws IllegalArgumentException naming the field, the expected and the found value of the first
         *     rule broken
         */
        public ModelSpec build() {
            requireText("name", name);
            requireText("version", version);
            requireNames("features", features);
            requireNames("targets", targets);
            requireAtLeastOne("hidden_size", hiddenSize);
            requireAtLeastOne("num_layers", numLayers);
            requireAtLeastOne("horizon", horizon);
            if (horizon > MAX_HORIZON) {
                throw new IllegalArgumentException("horizon: expected at most " + MAX_HORIZON
                        + " (each key learns one forecaster per step), found " + horizon);
            }
            if (gateVariant == null) {
                throw new IllegalArgumentException("gate_variant: expected \"reset_after\" or \"reset_before\","
                        + " found nothing");
            }
            if (normalization == null) {
                throw new IllegalArgumentException("normalization: expected an object with mean and std,"
                        + " found nothing");
            }
            if (normalization.size() != features.size()) {
                throw new IllegalArgumentException("normalization.mean: expected " + features.size()
                        + " values (one per feature), found " + normalization.size());
            }
            if (new HashSet<>(calendar).size() != calendar.size()) {
                throw new IllegalArgumentException("calendar: expected each input at most once, found " + calendar);
            }
            if (horizon == 1) {
                // One step is forecast alike either way: one canonical spec.
                multiStep = MultiStep.DIRECT;
            }
            boolean recursive = multiStep == MultiStep.RECURSIVE;
            if (recursive && !calendar.isEmpty()) {
                throw new IllegalArgumentException("calendar: a recursive horizon feeds forecasts back as inputs,"
                        + " which cannot supply calendar inputs; expected none, found " + calendar);
            }
            if (recursive && !ZoneOffset.UTC.equals(timeZone.normalized())) {
                // Format v1, the only one a recursive horizon is written in, has no time zone.
                throw new IllegalArgumentException("time_zone: a recursive horizon is written in format "
                        + FORMAT_V1 + ", which has no time zone; expected UTC, found " + timeZone.getId());
            }
            int[] targetFeature = new int[targets.size()];
            for (int t = 0; t < targets.size(); t++) {
                targetFeature[t] = features.indexOf(targets.get(t));
                if (targetFeature[t] < 0) {
                    throw new IllegalArgumentException("targets[" + t + "]: expected one of the features "
                            + features + ", found \"" + targets.get(t) + "\"");
                }
            }
            int[] featureTarget = new int[features.size()];
            for (int f = 0; f < features.size(); f++) {
                featureTarget[f] = targets.indexOf(features.get(f));
                if (featureTarget[f] < 0 && recursive) {
                    throw new IllegalArgumentException("targets: a recursive horizon of " + horizon
                            + " feeds forecasts back as inputs, so every feature must be a target; expected "
                            + features + " in any order, found " + targets);
                }
            }
            return new ModelSpec(this, targetFeature, featureTarget);
        }

        private static void requireText(String field, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(field + ": expected a non-empty string, found "
                        + (value == null ? "nothing" : "\"" + value + "\""));
            }
        }

        private static void requireNames(String field, List<String> names) {
            if (names == null || names.isEmpty()) {
                throw new IllegalArgumentException(field + ": expected at least one name, found none");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException(field + "[" + i + "]: expected a non-empty name, found "
                            + (name == null ? "nothing" : "\"" + name + "\""));
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException(field + "[" + i + "]: expected unique names, found \"" + name
                            + "\" twice");
                }
            }
        }

        private static void requireAtLeastOne(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + ": expected an integer >= 1, found " + value);
            }
        }
    }
}
