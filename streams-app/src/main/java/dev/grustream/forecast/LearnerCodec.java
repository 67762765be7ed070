package dev.grustream.forecast;

import dev.grustream.avro.DayProfileState;
import dev.grustream.avro.IntervalState;
import dev.grustream.avro.LearnerState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Maps a {@link Learner} to and from its {@link LearnerState} record. Arrays travel as raw little-endian bytes, so a
 * learner of about 3 KiB costs a few copies, not thousands of boxed doubles. Stateless and thread-safe.
 */
final class LearnerCodec {

    private LearnerCodec() {
    }

    static LearnerState encode(Learner learner) {
        double[] p = learner.covariance();
        int n = Learner.INPUTS;
        double[] upper = new double[n * (n + 1) / 2];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                upper[at++] = p[i * n + j];
            }
        }
        DayProfile profile = learner.profile();
        float[] bins = new float[profile.size()];
        for (int b = 0; b < bins.length; b++) {
            bins[b] = profile.bin(b);
        }
        IntervalCalibrator intervals = learner.intervals();
        int horizon = learner.horizon();
        double[] scale = new double[horizon];
        double[] log = new double[horizon];
        double[] logHigh = new double[horizon];
        for (int k = 0; k < horizon; k++) {
            scale[k] = intervals.errorScale(k);
            log[k] = intervals.logMultiplier(k);
            logHigh[k] = intervals.logMultiplierHigh(k);
        }
        return LearnerState.newBuilder()
                .setEvents(learner.events())
                .setCovariance(bytes(upper))
                .setWeights(bytes(learner.weights()))
                .setRingInputs(bytes(learner.ringInputs()))
                .setRingValues(bytes(learner.ringValues()))
                .setRingScales(bytes(learner.ringScales()))
                .setRingFar(bytes(learner.ringFar()))
                .setRingGuards(bytes(learner.ringGuards()))
                .setErrorScale(bytes(learner.errorScale()))
                .setLearnerError(bytes(learner.learnerError()))
                .setPersistenceError(bytes(learner.persistenceError()))
                .setProfile(DayProfileState.newBuilder()
                        .setBins(bytes(bins))
                        .setEvents(profile.events())
                        .setLastTime(profile.lastTime())
                        .setMeanInterval(profile.meanInterval())
                        .setFastMean(profile.fastMean())
                        .setSlowMean(profile.slowMean())
                        .setLastValue(profile.lastValue())
                        .build())
                .setIntervals(IntervalState.newBuilder()
                        .setErrorScale(bytes(scale))
                        .setLogMultiplier(bytes(log))
                        .setLogMultiplierHigh(bytes(logHigh))
                        .build())
                .build();
    }

    /**
     * Reads a stored learner.
     *
     * @throws IllegalArgumentException if its arrays do not fit together
     */
    static Learner decode(LearnerState state) {
        int n = Learner.INPUTS;
        double[] upper = doubles(state.getCovariance());
        if (upper.length != n * (n + 1) / 2) {
            throw new IllegalArgumentException("learner covariance: expected " + n * (n + 1) / 2 + " values, found "
                    + upper.length);
        }
        double[] p = new double[n * n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                p[i * n + j] = upper[at];
                p[j * n + i] = upper[at++];
            }
        }
        DayProfileState profile = state.getProfile();
        IntervalState intervals = state.getIntervals();
        return Learner.restored(state.getEvents(), p, doubles(state.getWeights()), doubles(state.getRingInputs()),
                doubles(state.getRingValues()), doubles(state.getRingScales()), doubles(state.getRingFar()),
                longs(state.getRingGuards()), doubles(state.getErrorScale()), doubles(state.getLearnerError()),
                doubles(state.getPersistenceError()),
                DayProfile.restored(floats(profile.getBins()), profile.getEvents(), profile.getLastTime(),
                        profile.getMeanInterval(), profile.getFastMean(), profile.getSlowMean(),
                        profile.getLastValue()),
                IntervalCalibrator.restored(doubles(intervals.getErrorScale()), doubles(intervals.getLogMultiplier()),
                        doubles(intervals.getLogMultiplierHigh())));
    }

    private static ByteBuffer bytes(double[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asDoubleBuffer().put(values);
        return buffer;
    }

    private static ByteBuffer bytes(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    private static ByteBuffer bytes(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return buffer;
    }

    static double[] doubles(ByteBuffer bytes) {
        ByteBuffer buffer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[buffer.remaining() / Double.BYTES];
        buffer.asDoubleBuffer().get(values);
        return values;
    }

    static float[] floats(ByteBuffer bytes) {
        ByteBuffer buffer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[buffer.remaining() / Float.BYTES];
        buffer.asFloatBuffer().get(values);
        return values;
    }

    private static long[] longs(ByteBuffer bytes) {
        ByteBuffer buffer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] values = new long[buffer.remaining() / Long.BYTES];
        buffer.asLongBuffer().get(values);
        return values;
    }
}
