package dev.grustream.forecast;

import dev.grustream.avro.LearnerState;
import dev.grustream.avro.history.AvroBinaryWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.io.BinaryDecoder;

/**
 * Writes a {@link Learner} as its {@link LearnerState} record and reads it back. Arrays travel as raw little-endian
 * bytes, so a learner of about 3 KiB costs a few copies, not thousands of boxed doubles. Stateless and thread-safe.
 */
final class LearnerCodec {

    private LearnerCodec() {
    }

    /** Writes {@code learner} as a {@link LearnerState} record, field by field in the schema's order. */
    static void write(Learner learner, AvroBinaryWriter out) {
        double[] p = learner.covariance();
        int n = Learner.INPUTS;
        double[] upper = new double[n * (n + 1) / 2];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                upper[at++] = p[i * n + j];
            }
        }
        out.writeLong(learner.events());
        out.writeRawDoubles(upper);
        out.writeRawDoubles(learner.weights());
        out.writeRawDoubles(learner.ringInputs());
        out.writeRawDoubles(learner.ringValues());
        out.writeRawDoubles(learner.ringScales());
        out.writeRawDoubles(learner.ringFar());
        out.writeRawLongs(learner.ringGuards());
        out.writeRawDoubles(learner.errorScale());
        out.writeRawDoubles(learner.learnerError());
        out.writeRawDoubles(learner.persistenceError());
        DayProfile profile = learner.profile();
        out.writeRawFloats(profile.size(), profile::bin);
        out.writeLong(profile.events());
        out.writeLong(profile.lastTime());
        out.writeDouble(profile.meanInterval());
        out.writeDouble(profile.fastMean());
        out.writeDouble(profile.slowMean());
        out.writeDouble(profile.lastValue());
        IntervalCalibrator intervals = learner.intervals();
        out.writeRawDoubles(learner.horizon(), intervals::errorScale);
        out.writeRawDoubles(learner.horizon(), intervals::logMultiplier);
        out.writeRawDoubles(learner.horizon(), intervals::logMultiplierHigh);
    }

    /** About the bytes {@link #write} takes for {@code learner}: a size to reserve, not a bound. */
    static int expectedSize(Learner learner) {
        int n = Learner.INPUTS;
        int doubles = n * (n + 1) / 2 + learner.weights().length + learner.ringInputs().length
                + learner.ringValues().length + learner.ringScales().length + learner.ringFar().length
                + learner.ringGuards().length + learner.errorScale().length + learner.learnerError().length
                + learner.persistenceError().length + 3 * learner.horizon() + 4;
        return doubles * Double.BYTES + learner.profile().size() * Float.BYTES + 64;
    }

    /**
     * Reads a learner that {@link #write} wrote.
     *
     * @throws IOException if the bytes end early
     * @throws IllegalArgumentException if its arrays do not fit together
     */
    static Learner read(BinaryDecoder in) throws IOException {
        long events = in.readLong();
        double[] upper = doubles(in.readBytes(null));
        double[] weights = doubles(in.readBytes(null));
        double[] ringInputs = doubles(in.readBytes(null));
        double[] ringValues = doubles(in.readBytes(null));
        double[] ringScales = doubles(in.readBytes(null));
        double[] ringFar = doubles(in.readBytes(null));
        long[] ringGuards = longs(in.readBytes(null));
        double[] errorScale = doubles(in.readBytes(null));
        double[] learnerError = doubles(in.readBytes(null));
        double[] persistenceError = doubles(in.readBytes(null));
        DayProfile profile = DayProfile.restored(floats(in.readBytes(null)), in.readLong(), in.readLong(),
                in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
        IntervalCalibrator intervals = IntervalCalibrator.restored(doubles(in.readBytes(null)),
                doubles(in.readBytes(null)), doubles(in.readBytes(null)));
        int n = Learner.INPUTS;
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
        return Learner.restored(events, p, weights, ringInputs, ringValues, ringScales, ringFar, ringGuards,
                errorScale, learnerError, persistenceError, profile, intervals);
    }

    private static double[] doubles(ByteBuffer bytes) {
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
