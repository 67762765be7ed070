package dev.grustream.forecast;

import dev.grustream.avro.FeatureStats;
import dev.grustream.avro.LikelihoodStats;
import dev.grustream.avro.ResidualStats;
import dev.grustream.avro.SeriesState;
import dev.grustream.avro.history.AvroBinaryWriter;
import dev.grustream.avro.history.LengthCheckingDecoder;
import dev.grustream.avro.history.VersionedRecordCodec;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads and writes a {@link KeyState} as a versioned {@link SeriesState} Avro record: one byte of format version,
 * then the record, each part of the state in its own sub-record. The hidden state and the learners' arrays travel
 * as raw little-endian bytes, so their cost stays a copy. The newest version is written and read field by field
 * (the store does both for every event; see {@link AvroBinaryWriter}), and so are versions 3 to 7, whose learners
 * {@link LearnerCodec} reads as they were written; bytes of earlier versions are read through Avro's resolution from
 * the schema they were written with, and parts they lack start afresh.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyStateCodec {
    private static final VersionedRecordCodec<SeriesState> CODEC = VersionedRecordCodec.forClass(SeriesState.class);
    /** The branches of the schema's optional fields, {@code ["null", T]}, as {@link AvroBinaryWriter} writes them. */
    private static final int NULL_BRANCH = 0;
    private static final int VALUE_BRANCH = 1;
    /** The first version read field by field: the first with learners (see {@link LearnerCodec}). */
    private static final int VERSION_THREE = 3;
    /** The first version that keeps the key's last active stream time. */
    private static final int ACTIVITY_SINCE = 6;
    /** The first version that keeps the event times consumed within the late grace before the last one. */
    private static final int EARLIER_TIMES_SINCE = 7;
    /** The first version that keeps the event time of the value range's first value. */
    private static final int RANGE_START_SINCE = 9;

    private KeyStateCodec() {
    }

    /**
     * About the bytes {@link #encode} writes for {@code state}, a little more rather than less: its arrays by their
     * lengths, with a few hundred bytes for the rest. Costs a few reads, not an encoding.
     */
    public static int expectedSize(KeyState state) {
        Learner[] learners = state.learners();
        return 256 + state.hidden().length * Float.BYTES
                + (learners == null || learners.length == 0 ? 0
                        : learners.length * LearnerCodec.expectedSize(learners[0]));
    }

    /**
     * Encodes {@code state} with the newest format version: the bytes Avro's writer gives for the {@link SeriesState}
     * record of the state, written field by field in the schema's order (see {@link AvroBinaryWriter} for why).
     */
    public static byte[] encode(KeyState state) {
        Learner[] learners = state.learners();
        int targets = state.targets();
        AvroBinaryWriter out = AvroBinaryWriter.ofThisThread(expectedSize(state));
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
        out.writePresence(!neverAlerted);
        if (!neverAlerted) {
            out.writeLong(state.lastAlertTime());
        }
        boolean noScore = Double.isNaN(state.lastAnomalyScore());
        out.writePresence(!noScore);
        if (!noScore) {
            out.writeDouble(state.lastAnomalyScore());
        }
        KeyStats features = state.features();
        out.writePresence(features != null);
        if (features != null) {
            out.writeLong(features.count());
            out.writeDoubleArray(features.size(), features::mean);
            out.writeDoubleArray(features.size(), features::variance);
        }
        AnomalyLikelihood likelihood = state.likelihood();
        out.writePresence(true);
        out.writeLong(likelihood.count());
        out.writeDouble(likelihood.average());
        out.writeDouble(likelihood.mean());
        out.writeDouble(likelihood.variance());
        ValueRange range = state.range();
        out.writePresence(true);
        out.writeLong(range.count());
        out.writeDoubleArray(targets, range::min);
        out.writeDoubleArray(targets, range::max);
        out.writeLong(range.since());
        out.writePresence(learners != null);
        if (learners != null) {
            if (learners.length > 0) {
                out.writeLong(learners.length);
                for (Learner learner : learners) {
                    LearnerCodec.write(learner, out);
                }
            }
            out.writeLong(0);
        }
        out.writeLong(state.lastActiveStreamTime());
        long[] earlier = state.earlierEventTimes();
        out.writeLongArray(earlier.length, i -> state.lastEventTime() - earlier[i]);
        return out.toByteArray();
    }

    /**
     * Decodes bytes written by this or an earlier release.
     *
     * @throws IllegalArgumentException if the bytes are not a stored state of any published version
     */
    public static KeyState decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] < VERSION_THREE || bytes[0] > CODEC.currentVersion()) {
            return fromEarlierVersion(CODEC.decode(bytes));
        }
        LengthCheckingDecoder in = new LengthCheckingDecoder(
                DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null), bytes.length - 1);
        try {
            KeyState state = read(in, bytes.length, bytes[0]);
            if (!in.isEnd()) {
                throw new EOFException("bytes left after the state");
            }
            return state;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ArithmeticException
                | IllegalArgumentException e) {
            throw new IllegalArgumentException("Corrupt stored SeriesState (version " + bytes[0] + ", "
                    + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    /**
     * Reads the fields of {@code version} (3 or later) in the order {@link #encode} writes them: versions 3 to 8
     * have the same fields as the newest but the value range's first event time (since 9), before 7 the earlier
     * event times and before 6 the last active stream time, versions 3 to 7 learners of their own (see
     * {@link LearnerCodec}); {@code size} bounds the arrays.
     */
    private static KeyState read(Decoder in, int size, int version) throws IOException {
        String modelName = in.readString();
        String modelVersion = in.readString();
        // One buffer for every array read: each is copied out of it (see LearnerCodec#read).
        ByteBuffer scratch = ByteBuffer.allocate(size);
        float[] hidden = LearnerCodec.floats(in.readBytes(scratch));
        for (int i = 0; i < hidden.length; i++) {
            // A GRU's hidden values stay within [-1, 1]: one that is not a number would make every forecast after it
            // NaN, which the learner would take in for good.
            if (!Float.isFinite(hidden[i])) {
                throw new IOException("hidden state value " + hidden[i] + " at " + i);
            }
        }
        long step = in.readLong();
        long lastEventTime = in.readLong();
        double[] forecast = readDoubleArray(in, size);
        long errorCount = in.readLong();
        double[] errorMean = readDoubleArray(in, size);
        double[] errorVariance = readDoubleArray(in, size);
        double[] errorDeviation = readDoubleArray(in, size);
        long lastAlertTime = present(in) ? in.readLong() : AlertPolicy.NEVER;
        double lastAnomalyScore = present(in) ? in.readDouble() : Double.NaN;
        KeyStats features = present(in)
                ? KeyStats.of(in.readLong(), readDoubleArray(in, size), readDoubleArray(in, size)) : null;
        AnomalyLikelihood likelihood = present(in)
                ? AnomalyLikelihood.of(in.readLong(), in.readDouble(), in.readDouble(), in.readDouble())
                : AnomalyLikelihood.empty();
        ValueRange range = present(in) ? ValueRange.of(in.readLong(), readDoubleArray(in, size),
                readDoubleArray(in, size), version >= RANGE_START_SINCE ? in.readLong() : ValueRange.UNKNOWN_SINCE)
                : null;
        Learner[] learners = null;
        if (present(in)) {
            List<Learner> read = new ArrayList<>();
            for (long block = in.readArrayStart(); block > 0; block = in.arrayNext()) {
                for (long i = 0; i < block; i++) {
                    read.add(LearnerCodec.read(in, version, scratch));
                }
            }
            learners = read.toArray(Learner[]::new);
        }
        long lastActiveStreamTime = version >= ACTIVITY_SINCE ? in.readLong() : 0;
        long[] earlier = version >= EARLIER_TIMES_SINCE ? readLongArray(in, size) : new long[0];
        for (int i = 0; i < earlier.length; i++) {
            // Newest first: each lag positive and longer than the one before, as KeyState keeps them.
            if (earlier[i] <= (i == 0 ? 0 : lastEventTime - earlier[i - 1])) {
                throw new IOException("earlier event lag " + earlier[i] + " (item " + i + ") not past the one before");
            }
            earlier[i] = Math.subtractExact(lastEventTime, earlier[i]);
        }
        int targets = range != null ? range.targets() : forecast.length == 0 ? errorMean.length : forecast.length;
        if (learners != null && learners.length != targets) {
            throw new IOException(learners.length + " learners for " + targets + " targets");
        }
        for (int t = 1; learners != null && t < learners.length; t++) {
            if (learners[t].horizon() != learners[0].horizon()) {
                throw new IOException("learner " + t + " has horizon " + learners[t].horizon() + ", learner 0 "
                        + learners[0].horizon());
            }
        }
        return restore(modelName, modelVersion, hidden, features, targets,
                ErrorStats.of(errorCount, errorMean, errorVariance, meanAbsDeviation(errorDeviation, errorVariance)),
                likelihood, range, learners, step, lastEventTime, lastActiveStreamTime, lastAlertTime,
                lastAnomalyScore, forecast).restoreEarlierEventTimes(earlier);
    }

    /** Reads a state written before the newest version, through Avro's schema resolution. */
    private static KeyState fromEarlierVersion(SeriesState record) {
        float[] hidden = LearnerCodec.floats(record.getHidden());
        ResidualStats residuals = record.getResiduals();
        dev.grustream.avro.ValueRange range = record.getValueRange();
        double[] forecast = array(record.getForecast());
        int targets = range != null ? range.getMin().size()
                : forecast.length == 0 ? residuals.getMean().size() : forecast.length;
        LikelihoodStats likelihood = record.getLikelihood();
        FeatureStats features = record.getFeatureStats();
        double[] variance = array(residuals.getVariance());
        // Versions before 3 kept no learners: such keys start learning afresh.
        return restore(record.getModelName(), record.getModelVersion(), hidden,
                features == null ? null : KeyStats.of(features.getCount(), array(features.getMean()),
                        array(features.getVariance())),
                targets,
                ErrorStats.of(residuals.getCount(), array(residuals.getMean()), variance,
                        meanAbsDeviation(array(residuals.getMeanAbsDeviation()), variance)),
                likelihood == null ? AnomalyLikelihood.empty() : AnomalyLikelihood.of(likelihood.getCount(),
                        likelihood.getAverage(), likelihood.getMean(), likelihood.getVariance()),
                range == null ? null : ValueRange.of(range.getCount(), array(range.getMin()), array(range.getMax()),
                        range.getSince()),
                null, record.getStep(), record.getLastEventTime().toEpochMilli(), 0,
                record.getLastAlertTime() == null ? AlertPolicy.NEVER : record.getLastAlertTime().toEpochMilli(),
                record.getLastAnomalyScore() == null ? Double.NaN : record.getLastAnomalyScore(), forecast);
    }

    private static KeyState restore(String modelName, String modelVersion, float[] hidden, KeyStats features,
            int targets, ErrorStats errors, AnomalyLikelihood likelihood, ValueRange range, Learner[] learners,
            long step, long lastEventTime, long lastActiveStreamTime, long lastAlertTime, double lastAnomalyScore,
            double[] forecast) {
        KeyState state = KeyState.restored(modelName, modelVersion, features, hidden, targets, errors, likelihood,
                range == null ? ValueRange.empty(targets) : range, learners);
        state.restoreProgress(step, lastEventTime, lastActiveStreamTime, lastAlertTime, lastAnomalyScore);
        return forecast.length == 0 ? state : state.restoreForecast(forecast);
    }

    /** Whether an optional field ({@code ["null", T]}) holds a value. */
    private static boolean present(Decoder in) throws IOException {
        int branch = in.readIndex();
        if (branch != NULL_BRANCH && branch != VALUE_BRANCH) {
            throw new IOException("union branch " + branch + " of an optional field");
        }
        return branch == VALUE_BRANCH;
    }

    /**
     * An Avro array of longs, in as many blocks as it was written in, of at most
     * {@link KeyState#REMEMBERED_EVENT_TIMES} items.
     */
    private static long[] readLongArray(Decoder in, int size) throws IOException {
        long[] values = new long[0];
        int count = 0;
        for (long block = in.readArrayStart(); block > 0; block = in.arrayNext()) {
            if (count + block > Math.min(size, KeyState.REMEMBERED_EVENT_TIMES)) {
                throw new IOException("an array of " + (count + block) + " event times, more than a key keeps");
            }
            values = Arrays.copyOf(values, (int) (count + block));
            for (long i = 0; i < block; i++) {
                values[count++] = in.readLong();
            }
        }
        return values;
    }

    /** An Avro array of doubles, in as many blocks as it was written in, of at most {@code size / 8} items. */
    private static double[] readDoubleArray(Decoder in, int size) throws IOException {
        double[] values = new double[0];
        int count = 0;
        for (long block = in.readArrayStart(); block > 0; block = in.arrayNext()) {
            if (count + block > size / Double.BYTES) {
                throw new IOException("an array of " + (count + block) + " doubles in " + size + " bytes");
            }
            values = Arrays.copyOf(values, (int) (count + block));
            for (long i = 0; i < block; i++) {
                values[count++] = in.readDouble();
            }
        }
        return values;
    }

    /**
     * The stored mean absolute deviations of the errors or, in states written before they were kept, those of
     * Gaussian errors with the stored variance ({@code sqrt(2/pi) * sd}), so that a key's scoring carries on.
     */
    private static double[] meanAbsDeviation(double[] stored, double[] variance) {
        if (stored.length > 0) {
            return stored;
        }
        double[] deviation = variance.clone();
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
