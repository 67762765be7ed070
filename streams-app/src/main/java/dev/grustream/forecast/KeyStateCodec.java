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
import java.util.List;

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
    /** The branches of the schema's optional fields, {@code ["null", T]}. */
    private static final int NULL_BRANCH = 0;
    private static final int VALUE_BRANCH = 1;

    private KeyStateCodec() {
    }

    /**
     * Encodes {@code state} with the newest format version: the bytes Avro's writer gives for the {@link SeriesState}
     * record of the state, written field by field in the schema's order (see {@link StateWriter} for why).
     */
    public static byte[] encode(KeyState state) {
        Learner[] learners = state.learners();
        int targets = state.targets();
        StateWriter out = new StateWriter(256 + state.hidden().length * Float.BYTES
                + (learners == null ? 0 : learners.length * LearnerCodec.expectedSize(learners[0])));
        out.writeByte(CODEC.currentVersion());
        out.writeString(state.modelName());
        out.writeString(state.modelVersion());
        out.writeRawFloats(state.hidden());
        out.writeLong(state.step());
        out.writeLong(state.lastEventTime());
        out.writeDoubleArray(state.hasForecast() ? targets : 0, state::forecast);
        ErrorStats errors = state.errors();
        out.writeLong(errors.count());
        out.writeDoubleArray(errors.targets(), errors::mean);
        out.writeDoubleArray(errors.targets(), errors::variance);
        out.writeDoubleArray(errors.targets(), errors::meanAbsDeviation);
        boolean neverAlerted = state.lastAlertTime() == AlertPolicy.NEVER;
        out.writeLong(neverAlerted ? NULL_BRANCH : VALUE_BRANCH);
        if (!neverAlerted) {
            out.writeLong(state.lastAlertTime());
        }
        boolean noScore = Double.isNaN(state.lastAnomalyScore());
        out.writeLong(noScore ? NULL_BRANCH : VALUE_BRANCH);
        if (!noScore) {
            out.writeDouble(state.lastAnomalyScore());
        }
        KeyStats features = state.features();
        out.writeLong(features == null ? NULL_BRANCH : VALUE_BRANCH);
        if (features != null) {
            out.writeLong(features.count());
            out.writeDoubleArray(features.size(), features::mean);
            out.writeDoubleArray(features.size(), features::variance);
        }
        AnomalyLikelihood likelihood = state.likelihood();
        out.writeLong(VALUE_BRANCH);
        out.writeLong(likelihood.count());
        out.writeDouble(likelihood.average());
        out.writeDouble(likelihood.mean());
        out.writeDouble(likelihood.variance());
        ValueRange range = state.range();
        out.writeLong(VALUE_BRANCH);
        out.writeLong(range.count());
        out.writeDoubleArray(targets, range::min);
        out.writeDoubleArray(targets, range::max);
        out.writeLong(learners == null ? NULL_BRANCH : VALUE_BRANCH);
        if (learners != null) {
            if (learners.length > 0) {
                out.writeLong(learners.length);
                for (Learner learner : learners) {
                    LearnerCodec.write(learner, out);
                }
            }
            out.writeLong(0);
        }
        return out.toByteArray();
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

    private static double[] array(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
