package dev.grustream.forecast;

import dev.grustream.avro.LearnerState;
import dev.grustream.avro.history.AvroBinaryWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.io.Decoder;

/**
 * Writes a {@link Learner} as its {@link LearnerState} record and reads it back. Arrays travel as raw little-endian
 * bytes, so a learner of about 3 KiB costs a few copies, not thousands of boxed doubles. Reads the learners of
 * state versions 3 and 4 too. Version 3 had nine inputs and the ring of inputs in doubles, now rounded to floats: the
 * tenth input joins them unlearnt, with weight 0 and the covariance's starting variance, which is where a fresh
 * learner's inputs start. Versions 3 and 4 had no weekly part in the profile: such a learner is read without one,
 * and starts one at its next event if {@code learner.profile.weekly} is on. Versions before 8 did not count each
 * step's inexact errors: such a learner's count starts at what they weighed the step's next error by, its events.
 * Stateless and thread-safe.
 */
final class LearnerCodec {
    /** The learners' inputs in version 3 of the stored state. */
    private static final int VERSION_THREE_INPUTS = 9;
    /** The first version of the stored state whose profiles have a weekly part. */
    private static final int WEEKLY_SINCE = 5;
    /** The first version of the stored state that counts each step's inexact errors. */
    private static final int ERROR_COUNTS_SINCE = 8;

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
        out.writeRawFloats(learner.ringInputs());
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
        out.writeRawFloats(profile.weekly());
        out.writeDouble(profile.plainError());
        out.writeDouble(profile.weeklyError());
        IntervalCalibrator intervals = learner.intervals();
        out.writeRawDoubles(learner.horizon(), intervals::errorScale);
        out.writeRawDoubles(learner.horizon(), intervals::logMultiplier);
        out.writeRawDoubles(learner.horizon(), intervals::logMultiplierHigh);
        out.writeLongArray(learner.horizon(), intervals::inexactErrors);
    }

    /** About the bytes {@link #write} takes for {@code learner}: a size to reserve, not a bound. */
    static int expectedSize(Learner learner) {
        int n = Learner.INPUTS;
        int doubles = n * (n + 1) / 2 + learner.weights().length
                + learner.ringValues().length + learner.ringScales().length + learner.ringFar().length
                + learner.ringGuards().length + learner.errorScale().length + learner.learnerError().length
                + learner.persistenceError().length + 3 * learner.horizon() + 4;
        // The counts of inexact errors are varints of at most 2 bytes each (up to 1,000).
        return doubles * Double.BYTES + (learner.ringInputs().length + learner.profile().size()
                + learner.profile().weekly().length) * Float.BYTES + 2 * learner.horizon() + 82;
    }

    /**
     * Reads a learner that {@link #write} wrote, or that {@code version} (3 or later) of the state wrote. Its arrays
     * are read through {@code scratch}, a buffer with an array that may be reused for each (they are copied out), so
     * that a learner's dozen arrays do not each allocate one more buffer.
     *
     * @throws IOException if the bytes end early
     * @throws IllegalArgumentException if its arrays do not fit together
     */
    static Learner read(Decoder in, int version, ByteBuffer scratch) throws IOException {
        boolean versionThree = version == 3;
        long events = in.readLong();
        double[] upper = doubles(in.readBytes(scratch));
        double[] weights = doubles(in.readBytes(scratch));
        ByteBuffer ringBytes = in.readBytes(scratch);
        float[] ringInputs = versionThree ? toFloats(widen(doubles(ringBytes), VERSION_THREE_INPUTS))
                : floats(ringBytes);
        double[] ringValues = doubles(in.readBytes(scratch));
        double[] ringScales = doubles(in.readBytes(scratch));
        double[] ringFar = doubles(in.readBytes(scratch));
        long[] ringGuards = longs(in.readBytes(scratch));
        double[] errorScale = doubles(in.readBytes(scratch));
        double[] learnerError = doubles(in.readBytes(scratch));
        double[] persistenceError = doubles(in.readBytes(scratch));
        float[] bins = floats(in.readBytes(scratch));
        long profileEvents = in.readLong();
        long lastTime = in.readLong();
        double meanInterval = in.readDouble();
        double fastMean = in.readDouble();
        double slowMean = in.readDouble();
        double lastValue = in.readDouble();
        boolean weekly = version >= WEEKLY_SINCE;
        DayProfile profile = DayProfile.restored(bins, profileEvents, lastTime, meanInterval, fastMean, slowMean,
                lastValue, weekly ? floats(in.readBytes(scratch)) : new float[0], weekly ? in.readDouble() : 0.0,
                weekly ? in.readDouble() : 0.0);
        double[] intervalScale = doubles(in.readBytes(scratch));
        double[] logMultiplier = doubles(in.readBytes(scratch));
        double[] logMultiplierHigh = doubles(in.readBytes(scratch));
        long[] inexactErrors = version >= ERROR_COUNTS_SINCE ? counts(in, intervalScale.length)
                : countsBefore(intervalScale, events);
        IntervalCalibrator intervals = IntervalCalibrator.restored(intervalScale, logMultiplier, logMultiplierHigh,
                inexactErrors);
        int n = versionThree ? VERSION_THREE_INPUTS : Learner.INPUTS;
        // Not numbers here would spread to every weight and forecast of the key, and its guard cannot compare them.
        requireFinite("learner covariance", upper);
        requireFinite("learner weights", weights);
        if (upper.length != n * (n + 1) / 2) {
            throw new IllegalArgumentException("learner covariance: expected " + n * (n + 1) / 2 + " values, found "
                    + upper.length);
        }
        double[] p = new double[Learner.INPUTS * Learner.INPUTS];
        for (int i = n; i < Learner.INPUTS; i++) {
            p[i * Learner.INPUTS + i] = Learner.DELTA;
        }
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                p[i * Learner.INPUTS + j] = upper[at];
                p[j * Learner.INPUTS + i] = upper[at++];
            }
        }
        return Learner.restored(events, p, widen(weights, n), ringInputs, ringValues, ringScales, ringFar, ringGuards,
                errorScale, learnerError, persistenceError, profile, intervals);
    }

    private static void requireFinite(String name, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + ": value " + values[i] + " at " + i);
            }
        }
    }

    /** An Avro array of one count per step, in as many blocks as it was written in. */
    private static long[] counts(Decoder in, int steps) throws IOException {
        long[] values = new long[steps];
        int count = 0;
        for (long block = in.readArrayStart(); block > 0; block = in.arrayNext()) {
            if (count + block > steps) {
                throw new IllegalArgumentException("more than " + steps + " counts of inexact errors");
            }
            for (long i = 0; i < block; i++) {
                values[count++] = in.readLong();
            }
        }
        if (count != steps) {
            throw new IllegalArgumentException(count + " counts of inexact errors for " + steps + " steps");
        }
        return values;
    }

    /**
     * The counts of inexact errors that carry a learner of a version before 8 on as that version did: it weighed
     * each step's errors by the learner's events, {@code events - k - 1} for step k at the next event.
     */
    private static long[] countsBefore(double[] intervalScale, long events) {
        long[] counts = new long[intervalScale.length];
        for (int k = 0; k < counts.length; k++) {
            counts[k] = intervalScale[k] == 0.0 ? 0
                    : Math.min(IntervalCalibrator.COUNTED_ERRORS, Math.max(1, events - (k + 1) - 1));
        }
        return counts;
    }

    /** Rows of {@code n} values widened to rows of {@link Learner#INPUTS}, the new places 0. */
    private static double[] widen(double[] rows, int n) {
        if (n == Learner.INPUTS || rows.length % n != 0) {
            return rows;
        }
        double[] wide = new double[rows.length / n * Learner.INPUTS];
        for (int row = 0; row < rows.length / n; row++) {
            System.arraycopy(rows, row * n, wide, row * Learner.INPUTS, n);
        }
        return wide;
    }

    private static float[] toFloats(double[] values) {
        float[] narrow = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            narrow[i] = (float) values[i];
        }
        return narrow;
    }

    private static double[] doubles(ByteBuffer bytes) {
        ByteBuffer buffer = whole(bytes, Double.BYTES);
        double[] values = new double[buffer.remaining() / Double.BYTES];
        buffer.asDoubleBuffer().get(values);
        return values;
    }

    static float[] floats(ByteBuffer bytes) {
        ByteBuffer buffer = whole(bytes, Float.BYTES);
        float[] values = new float[buffer.remaining() / Float.BYTES];
        buffer.asFloatBuffer().get(values);
        return values;
    }

    private static long[] longs(ByteBuffer bytes) {
        ByteBuffer buffer = whole(bytes, Long.BYTES);
        long[] values = new long[buffer.remaining() / Long.BYTES];
        buffer.asLongBuffer().get(values);
        return values;
    }

    /** {@code bytes} as little-endian values of {@code width} bytes each; a remainder means they are corrupt. */
    private static ByteBuffer whole(ByteBuffer bytes, int width) {
        if (bytes.remaining() % width != 0) {
            throw new IllegalArgumentException(bytes.remaining() + " bytes are not a whole number of values of "
                    + width + " bytes");
        }
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
