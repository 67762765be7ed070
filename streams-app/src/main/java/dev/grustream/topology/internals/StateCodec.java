package dev.grustream.topology.internals;

import dev.grustream.avro.FeatureStats;
import dev.grustream.avro.LikelihoodStats;
import dev.grustream.avro.ResidualStats;
import dev.grustream.avro.SeriesState;
import dev.grustream.avro.ValueRange;
import dev.grustream.avro.history.VersionedRecordCodec;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Stores a {@link KeyState} as a versioned {@link SeriesState} Avro record: one byte of format version, then the
 * record. The hidden state travels as raw little-endian float32 bytes, so the per-event cost stays a copy.
 *
 * <p>Stateless and thread-safe: the store, standby restoration and interactive queries may share it.
 */
public final class StateCodec implements Serde<KeyState> {
    private static final VersionedRecordCodec<SeriesState> CODEC = VersionedRecordCodec.forClass(SeriesState.class);

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
                .setForecast(state.hasForecast() ? toList(state.forecast()) : List.of())
                .setResiduals(ResidualStats.newBuilder()
                        .setCount(state.errorCount())
                        .setMean(toList(state.errorMean()))
                        .setVariance(toList(state.errorVariance()))
                        .setMeanAbsDeviation(toList(state.errorMeanAbsDeviation()))
                        .build())
                .setLastAlertTime(state.lastAlertTime() == AlertPolicy.NEVER
                        ? null : Instant.ofEpochMilli(state.lastAlertTime()))
                .setFeatureStats(state.featureStats() == null ? null : featureStats(state.featureStats()))
                .setLastAnomalyScore(Double.isNaN(state.lastAnomalyScore()) ? null : state.lastAnomalyScore())
                .setLikelihood(LikelihoodStats.newBuilder()
                        .setCount(state.likelihoodCount())
                        .setAverage(state.likelihoodStats()[0])
                        .setMean(state.likelihoodStats()[1])
                        .setVariance(state.likelihoodStats()[2])
                        .build())
                .setValueRange(ValueRange.newBuilder()
                        .setCount(state.rangeCount())
                        .setMin(toList(state.rangeMin()))
                        .setMax(toList(state.rangeMax()))
                        .build())
                .build();
        return CODEC.encode(record);
    }

    /** Decodes bytes written by this or an earlier release. */
    public static KeyState decode(byte[] bytes) {
        SeriesState record = CODEC.decode(bytes);
        ByteBuffer hiddenBytes = record.getHidden().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] hidden = new float[hiddenBytes.remaining() / Float.BYTES];
        hiddenBytes.asFloatBuffer().get(hidden);
        ResidualStats residuals = record.getResiduals();
        int targets = residuals.getMean().size();
        List<Double> forecast = record.getForecast();
        // States written before the likelihood statistics and the value range were kept start them afresh.
        LikelihoodStats likelihood = record.getLikelihood();
        ValueRange range = record.getValueRange();
        return KeyState.restored(record.getModelName(), record.getModelVersion(), hidden, record.getStep(),
                record.getLastEventTime().toEpochMilli(),
                forecast.isEmpty() ? new double[targets] : toArray(forecast), !forecast.isEmpty(),
                residuals.getCount(), toArray(residuals.getMean()), toArray(residuals.getVariance()),
                meanAbsDeviation(residuals),
                record.getLastAlertTime() == null ? AlertPolicy.NEVER : record.getLastAlertTime().toEpochMilli(),
                record.getLastAnomalyScore() == null ? Double.NaN : record.getLastAnomalyScore(),
                record.getFeatureStats() == null ? null : KeyStats.of(record.getFeatureStats().getCount(),
                        toArray(record.getFeatureStats().getMean()), toArray(record.getFeatureStats().getVariance())),
                likelihood == null ? 0 : likelihood.getCount(),
                likelihood == null ? new double[AnomalyLikelihood.STATS]
                        : new double[] {likelihood.getAverage(), likelihood.getMean(), likelihood.getVariance()},
                range == null ? 0 : range.getCount(),
                range == null ? new double[targets] : toArray(range.getMin()),
                range == null ? new double[targets] : toArray(range.getMax()));
    }

    /**
     * The stored mean absolute deviations of the errors or, in states written before they were kept, those of
     * Gaussian errors with the stored variance ({@code sqrt(2/pi) * sd}), so that a key's scoring carries on.
     */
    private static double[] meanAbsDeviation(ResidualStats residuals) {
        if (!residuals.getMeanAbsDeviation().isEmpty()) {
            return toArray(residuals.getMeanAbsDeviation());
        }
        double[] deviation = toArray(residuals.getVariance());
        for (int t = 0; t < deviation.length; t++) {
            deviation[t] = Math.sqrt(Math.max(deviation[t], 0.0) * 2.0 / Math.PI);
        }
        return deviation;
    }

    private static FeatureStats featureStats(KeyStats stats) {
        List<Double> mean = new ArrayList<>(stats.size());
        List<Double> variance = new ArrayList<>(stats.size());
        for (int f = 0; f < stats.size(); f++) {
            mean.add(stats.mean(f));
            variance.add(stats.variance(f));
        }
        return FeatureStats.newBuilder().setCount(stats.count()).setMean(mean).setVariance(variance).build();
    }

    @Override
    public Serializer<KeyState> serializer() {
        return (topic, state) -> state == null ? null : encode(state);
    }

    @Override
    public Deserializer<KeyState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decode(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("Cannot read the stored state of a key: " + e.getMessage(), e);
            }
        };
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(value);
        }
        return list;
    }

    private static double[] toArray(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
