package dev.grustream.forecast;

import dev.grustream.avro.FeatureStats;
import dev.grustream.avro.LikelihoodStats;
import dev.grustream.avro.ResidualStats;
import dev.grustream.avro.SeriesState;
import dev.grustream.avro.history.VersionedRecordCodec;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Reads and writes a {@link KeyState} as a versioned {@link SeriesState} Avro record: one byte of format version,
 * then the record, each part of the state in its own sub-record. The hidden state and the learners' arrays travel
 * as raw little-endian bytes, so their cost stays a copy. Bytes written by an earlier release are read with the schema they were
 * written with; parts they lack start afresh.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyStateCodec {
    private static final VersionedRecordCodec<SeriesState> CODEC = VersionedRecordCodec.forClass(SeriesState.class);

    private KeyStateCodec() {
    }

    /** Encodes {@code state} with the newest format version. */
    public static byte[] encode(KeyState state) {
        ByteBuffer hidden = ByteBuffer.allocate(state.hidden().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        hidden.asFloatBuffer().put(state.hidden());
        SeriesState record = SeriesState.newBuilder()
                .setModelName(state.modelName())
                .setModelVersion(state.modelVersion())
                .setHidden(hidden)
                .setStep(state.step())
                .setLastEventTime(Instant.ofEpochMilli(state.lastEventTime()))
                .setForecast(state.hasForecast() ? list(state.targets(), state::forecast) : List.of())
                .setResiduals(residuals(state.errors()))
                .setLastAlertTime(state.lastAlertTime() == AlertPolicy.NEVER
                        ? null : Instant.ofEpochMilli(state.lastAlertTime()))
                .setFeatureStats(state.features() == null ? null : featureStats(state.features()))
                .setLastAnomalyScore(Double.isNaN(state.lastAnomalyScore()) ? null : state.lastAnomalyScore())
                .setLikelihood(LikelihoodStats.newBuilder()
                        .setCount(state.likelihood().count())
                        .setAverage(state.likelihood().average())
                        .setMean(state.likelihood().mean())
                        .setVariance(state.likelihood().variance())
                        .build())
                .setValueRange(dev.grustream.avro.ValueRange.newBuilder()
                        .setCount(state.range().count())
                        .setMin(list(state.targets(), state.range()::min))
                        .setMax(list(state.targets(), state.range()::max))
                        .build())
                .setLearners(state.learners() == null ? null
                        : Arrays.stream(state.learners()).map(LearnerCodec::encode).toList())
                .build();
        return CODEC.encode(record);
    }

    /**
     * Decodes bytes written by this or an earlier release.
     *
     * @throws IllegalArgumentException if the bytes are not a stored state of any published version
     */
    public static KeyState decode(byte[] bytes) {
        SeriesState record = CODEC.decode(bytes);
        ByteBuffer hiddenBytes = record.getHidden().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] hidden = new float[hiddenBytes.remaining() / Float.BYTES];
        hiddenBytes.asFloatBuffer().get(hidden);
        ResidualStats residuals = record.getResiduals();
        dev.grustream.avro.ValueRange range = record.getValueRange();
        List<Double> forecast = record.getForecast();
        // The range and the forecast hold one value per target; the error statistics may hold more (several steps).
        int targets = range != null ? range.getMin().size()
                : forecast.isEmpty() ? residuals.getMean().size() : forecast.size();
        LikelihoodStats likelihood = record.getLikelihood();
        FeatureStats features = record.getFeatureStats();
        KeyState state = KeyState.restored(record.getModelName(), record.getModelVersion(),
                features == null ? null : KeyStats.of(features.getCount(), array(features.getMean()),
                        array(features.getVariance())),
                hidden, targets,
                ErrorStats.of(residuals.getCount(), array(residuals.getMean()), array(residuals.getVariance()),
                        meanAbsDeviation(residuals)),
                likelihood == null ? AnomalyLikelihood.empty() : AnomalyLikelihood.of(likelihood.getCount(),
                        likelihood.getAverage(), likelihood.getMean(), likelihood.getVariance()),
                range == null ? ValueRange.empty(targets)
                        : ValueRange.of(range.getCount(), array(range.getMin()), array(range.getMax())),
                record.getLearners() == null ? null
                        : record.getLearners().stream().map(LearnerCodec::decode).toArray(Learner[]::new));
        state.restoreProgress(record.getStep(), record.getLastEventTime().toEpochMilli(),
                record.getLastAlertTime() == null ? AlertPolicy.NEVER : record.getLastAlertTime().toEpochMilli(),
                record.getLastAnomalyScore() == null ? Double.NaN : record.getLastAnomalyScore());
        return forecast.isEmpty() ? state : state.restoreForecast(array(forecast));
    }

    private static ResidualStats residuals(ErrorStats errors) {
        return ResidualStats.newBuilder()
                .setCount(errors.count())
                .setMean(list(errors.targets(), errors::mean))
                .setVariance(list(errors.targets(), errors::variance))
                .setMeanAbsDeviation(list(errors.targets(), errors::meanAbsDeviation))
                .build();
    }

    /**
     * The stored mean absolute deviations of the errors or, in states written before they were kept, those of
     * Gaussian errors with the stored variance ({@code sqrt(2/pi) * sd}), so that a key's scoring carries on.
     */
    private static double[] meanAbsDeviation(ResidualStats residuals) {
        if (!residuals.getMeanAbsDeviation().isEmpty()) {
            return array(residuals.getMeanAbsDeviation());
        }
        double[] deviation = array(residuals.getVariance());
        for (int t = 0; t < deviation.length; t++) {
            deviation[t] = Math.sqrt(Math.max(deviation[t], 0.0) * 2.0 / Math.PI);
        }
        return deviation;
    }

    private static FeatureStats featureStats(KeyStats stats) {
        return FeatureStats.newBuilder()
                .setCount(stats.count())
                .setMean(list(stats.size(), stats::mean))
                .setVariance(list(stats.size(), stats::variance))
                .build();
    }

    private static List<Double> list(int size, IntToDoubleFunction value) {
        List<Double> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(value.applyAsDouble(i));
        }
        return list;
    }

    private static double[] array(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
