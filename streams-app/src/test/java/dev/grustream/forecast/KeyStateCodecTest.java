package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.grustream.avro.DayProfileState;
import dev.grustream.avro.FeatureStats;
import dev.grustream.avro.IntervalState;
import dev.grustream.avro.LearnerState;
import dev.grustream.avro.LikelihoodStats;
import dev.grustream.avro.ResidualStats;
import dev.grustream.avro.SeriesState;
import dev.grustream.avro.history.SchemaHistory;
import dev.grustream.avro.history.VersionedRecordCodec;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
import dev.grustream.testing.TestingModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class KeyStateCodecTest {
    /** The defaults with {@code learner.profile.weekly} on. */
    private static final ForecastRules WEEKLY = ForecastRules.defaults()
            .withLearner(LearningTest.learnerRule(ForecastRules.DEFAULT_GUARD_HALFLIFE_EVENTS, false, true));

    private static KeyState state(KeyStats stats) {
        return KeyState.restored("m", "1", stats, new float[] {0f, 0f, 0.5f, 0f}, 1,
                        ErrorStats.of(7, new double[] {0.1}, new double[] {0.2}, new double[] {0.35}),
                        AnomalyLikelihood.of(6, 1.5, 0.8, 0.04), ValueRange.of(7, new double[] {-2.0},
                                new double[] {9.0}, 400), null)
                .restoreProgress(1, 1_000, 1_200, 900, 0.75)
                .restoreForecast(new double[] {3.25});
    }

    @Test
    void roundTripsEveryField() {
        KeyState decoded = KeyStateCodec.decode(KeyStateCodec.encode(state(KeyStats.of(5, new double[] {2.0},
                new double[] {0.25}))));

        assertThat(decoded.modelName()).isEqualTo("m");
        assertThat(decoded.hidden()).containsExactly(0f, 0f, 0.5f, 0f);
        assertThat(decoded.forecast(0)).isEqualTo(3.25);
        assertThat(decoded.hasForecast()).isTrue();
        assertThat(decoded.errors()).isEqualTo(ErrorStats.of(7, new double[] {0.1}, new double[] {0.2},
                new double[] {0.35}));
        assertThat(decoded.step()).isEqualTo(1);
        assertThat(decoded.lastEventTime()).isEqualTo(1_000);
        assertThat(decoded.lastActiveStreamTime()).isEqualTo(1_200);
        assertThat(decoded.lastAlertTime()).isEqualTo(900);
        assertThat(decoded.lastAnomalyScore()).isEqualTo(0.75);
        assertThat(decoded.features()).isEqualTo(KeyStats.of(5, new double[] {2.0}, new double[] {0.25}));
    }

    @Test
    void roundTripsTheLikelihoodStatisticsAndTheValueRange() {
        KeyState decoded = KeyStateCodec.decode(KeyStateCodec.encode(state(null)));

        assertThat(decoded.likelihood()).isEqualTo(AnomalyLikelihood.of(6, 1.5, 0.8, 0.04));
        assertThat(decoded.range()).isEqualTo(ValueRange.of(7, new double[] {-2.0}, new double[] {9.0}, 400));
    }

    @Test
    void roundTripsAMissingAnomalyScoreAsNaN() {
        KeyState state = state(null).restoreProgress(1, 1_000, 1_200, 900, Double.NaN);

        assertThat(KeyStateCodec.decode(KeyStateCodec.encode(state)).lastAnomalyScore()).isNaN();
    }

    @Test
    void writesTheNewestPublishedVersion() {
        assertThat(KeyStateCodec.encode(state(null))[0]).isEqualTo((byte) SchemaHistory.latestVersion("SeriesState"));
    }

    @Test
    void stateWithoutFeatureStatisticsRoundTrips() {
        assertThat(KeyStateCodec.decode(KeyStateCodec.encode(state(null))).features()).isNull();
    }

    @Test
    void readsStateWrittenByVersionOne() throws IOException {
        Schema v1 = SchemaHistory.version("SeriesState", 1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("model_name", "m");
        old.put("model_version", "1");
        old.put("hidden", ByteBuffer.wrap(new byte[8]));
        old.put("step", 3L);
        old.put("last_event_time", 42L);
        old.put("forecast", List.of(1.5));
        GenericRecord residuals = new GenericData.Record(v1.getField("residuals").schema());
        residuals.put("count", 2L);
        residuals.put("mean", List.of(0.0));
        residuals.put("variance", List.of(1.0));
        old.put("residuals", residuals);
        old.put("last_alert_time", null);
        KeyState decoded = KeyStateCodec.decode(storedAs(1, old));

        assertThat(decoded.step()).isEqualTo(3);
        assertThat(decoded.lastEventTime()).isEqualTo(42);
        assertThat(decoded.forecast(0)).isEqualTo(1.5);
        assertThat(decoded.hidden()).hasSize(2);
        assertThat(decoded.features()).isNull();
        assertThat(decoded.lastAnomalyScore()).isNaN();
        assertThat(decoded.likelihood()).isEqualTo(AnomalyLikelihood.empty());
        assertThat(decoded.range()).isEqualTo(ValueRange.empty(1));
        // sqrt(2/pi) * sd: the mean absolute deviation of Gaussian errors with the stored variance of 1.
        assertThat(decoded.errors().meanAbsDeviation(0)).isEqualTo(Math.sqrt(2.0 / Math.PI));
    }

    @Test
    void writesTheBytesAvroWritesForALearntKey() {
        KeyState learnt = learnt(TestingModels.persistence("1", 12), 600);

        assertThat(learnt.learners()).isNotEmpty();
        assertThat(KeyStateCodec.encode(learnt)).isEqualTo(writtenByAvro(learnt));
    }

    @Test
    void writesTheBytesAvroWritesForAStateWithFeatureStatisticsAndAnAlert() {
        KeyState state = state(KeyStats.of(5, new double[] {2.0, -1.5}, new double[] {0.25, 4.0}));

        assertThat(KeyStateCodec.encode(state)).isEqualTo(writtenByAvro(state));
    }

    @Test
    void writesTheBytesAvroWritesForAStateWithoutForecastScoreOrAlert() {
        KeyState state = KeyState.restored("model-\u00e9", "2", null, new float[3], 2, ErrorStats.empty(2),
                AnomalyLikelihood.empty(), ValueRange.empty(2), null)
                .restoreProgress(0, 0, 0, AlertPolicy.NEVER, Double.NaN);

        assertThat(KeyStateCodec.encode(state)).isEqualTo(writtenByAvro(state));
    }

    @Test
    void readsBackEveryFieldOfALearntKey() {
        byte[] bytes = KeyStateCodec.encode(learnt(TestingModels.persistence("1", 12), 600));

        assertThat(KeyStateCodec.encode(KeyStateCodec.decode(bytes))).isEqualTo(bytes);
    }

    @Test
    void readsTheLearnersOfVersionThreeWithTheTenthInputUnlearnt() {
        // At five-minute intervals the tenth input is never given: its weights stay 0 and its variance where it
        // started, which is what reading version 3 gives it.
        KeyState learnt = learnt(TestingModels.persistence("1", 12), 600);
        byte[] versionThree = writtenByAvro(learnt, 3);

        assertThat(versionThree.length).isGreaterThan(KeyStateCodec.encode(learnt).length);
        assertThat(KeyStateCodec.encode(KeyStateCodec.decode(versionThree)))
                .isEqualTo(KeyStateCodec.encode(withoutRangeStart(learnt)));
    }

    @Test
    void readsTheLearnersOfVersionFourWithoutAWeeklyProfile() {
        // Without learner.profile.weekly a profile has no weekly part: what reading version 4 gives it.
        KeyState learnt = learnt(TestingModels.persistence("1", 12), 600);
        byte[] versionFour = writtenByAvro(learnt, 4);

        assertThat(versionFour).isNotEqualTo(KeyStateCodec.encode(learnt));
        assertThat(KeyStateCodec.encode(KeyStateCodec.decode(versionFour)))
                .isEqualTo(KeyStateCodec.encode(withoutRangeStart(learnt)));
    }

    @Test
    void readsTheLearnersOfVersionSevenWithTheirIntervalsWeighingErrorsByTheirEventsAsBefore() {
        KeyState learnt = learnt(TestingModels.persistence("1", 12), 600);

        KeyState decoded = KeyStateCodec.decode(writtenByAvro(learnt, 7));

        IntervalCalibrator intervals = decoded.learners()[0].intervals();
        for (int k = 0; k < 12; k++) {
            assertThat(intervals.inexactErrors(k)).as("step %d", k + 1).isEqualTo(600 - (k + 1) - 1);
        }
        assertThat(KeyStateCodec.encode(decoded)).isEqualTo(KeyStateCodec.encode(withoutRangeStart(learnt)));
    }

    @Test
    void readsVersionFiveWithTheLastEventTimeAsTheLastActivity() {
        KeyState unmarked = learnt(TestingModels.persistence("1", 12), 600);
        KeyState active = learnt(TestingModels.persistence("1", 12), 600);
        active.activeAt(active.lastEventTime() + 86_400_000L);

        KeyState decoded = KeyStateCodec.decode(writtenByAvro(active, 5));

        assertThat(decoded.lastActiveStreamTime()).isZero();
        assertThat(decoded.lastActivity()).isEqualTo(active.lastEventTime());
        assertThat(KeyStateCodec.encode(decoded)).isEqualTo(KeyStateCodec.encode(withoutRangeStart(unmarked)));
    }

    @Test
    void writesTheBytesAvroWritesForAKeyThatRemembersEarlierEventTimesAndReadsThemBack() {
        KeyState state = state(null).restoreEarlierEventTimes(new long[] {990, 400, -5_000});

        byte[] bytes = KeyStateCodec.encode(state);

        assertThat(bytes).isEqualTo(writtenByAvro(state));
        assertThat(KeyStateCodec.decode(bytes).earlierEventTimes()).containsExactly(990, 400, -5_000);
    }

    @Test
    void refusesEarlierEventTimesOutOfOrderAsCorrupt() {
        byte[] disordered = writtenByAvro(state(null).restoreEarlierEventTimes(new long[] {400, 990}));

        assertThatThrownBy(() -> KeyStateCodec.decode(disordered))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Corrupt stored SeriesState (version 9");
    }

    @Test
    void readsStateWrittenByVersionTwo() throws IOException {
        Schema v2 = SchemaHistory.version("SeriesState", 2);
        GenericRecord old = new GenericData.Record(v2);
        old.put("model_name", "m");
        old.put("model_version", "1");
        old.put("hidden", ByteBuffer.wrap(new byte[8]));
        old.put("step", 5L);
        old.put("last_event_time", 42L);
        old.put("forecast", List.of(1.5, 2.5));
        GenericRecord residuals = new GenericData.Record(v2.getField("residuals").schema());
        residuals.put("count", 9L);
        residuals.put("mean", List.of(0.0, 0.1));
        residuals.put("variance", List.of(1.0, 4.0));
        residuals.put("mean_abs_deviation", List.of(0.7, 1.6));
        old.put("residuals", residuals);
        old.put("last_alert_time", 30L);
        old.put("last_anomaly_score", 0.25);
        GenericRecord features = new GenericData.Record(v2.getField("feature_stats").schema().getTypes().get(1));
        features.put("count", 9L);
        features.put("mean", List.of(20.0, 30.0));
        features.put("variance", List.of(2.0, 3.0));
        old.put("feature_stats", features);
        GenericRecord likelihood = new GenericData.Record(v2.getField("likelihood").schema().getTypes().get(1));
        likelihood.put("count", 4L);
        likelihood.put("average", 0.5);
        likelihood.put("mean", 0.4);
        likelihood.put("variance", 0.02);
        old.put("likelihood", likelihood);
        GenericRecord range = new GenericData.Record(v2.getField("value_range").schema().getTypes().get(1));
        range.put("count", 9L);
        range.put("min", List.of(-1.0, 0.0));
        range.put("max", List.of(3.0, 8.0));
        old.put("value_range", range);
        KeyState decoded = KeyStateCodec.decode(storedAs(2, old));

        assertThat(decoded.targets()).isEqualTo(2);
        assertThat(decoded.forecast(1)).isEqualTo(2.5);
        assertThat(decoded.errors().meanAbsDeviation(1)).isEqualTo(1.6);
        assertThat(decoded.features().mean(1)).isEqualTo(30.0);
        assertThat(decoded.likelihood()).isEqualTo(AnomalyLikelihood.of(4, 0.5, 0.4, 0.02));
        assertThat(decoded.range()).isEqualTo(ValueRange.of(9, new double[] {-1.0, 0.0}, new double[] {3.0, 8.0},
                ValueRange.UNKNOWN_SINCE));
        assertThat(decoded.lastAlertTime()).isEqualTo(30);
        assertThat(decoded.lastAnomalyScore()).isEqualTo(0.25);
        assertThat(decoded.learners()).isNull();
    }

    @Test
    void refusesAHiddenStateThatIsNotANumberAsCorrupt() {
        KeyState state = state(null);
        state.hidden()[2] = Float.NaN;
        byte[] bytes = KeyStateCodec.encode(state);

        assertThatThrownBy(() -> KeyStateCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Corrupt stored SeriesState (version 9")
                .hasMessageContaining("hidden state value NaN at 2");
    }

    @Test
    void refusesLearnerWeightsOrCovarianceThatAreNotNumbersAsCorrupt() {
        KeyState weights = learnt(TestingModels.persistence("1", 12), 50);
        weights.learners()[0].weights()[3] = Double.NaN;
        KeyState covariance = learnt(TestingModels.persistence("1", 12), 50);
        covariance.learners()[0].covariance()[0] = Double.POSITIVE_INFINITY;
        byte[] weightBytes = KeyStateCodec.encode(weights);
        byte[] covarianceBytes = KeyStateCodec.encode(covariance);

        assertThatThrownBy(() -> KeyStateCodec.decode(weightBytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Corrupt stored SeriesState (version 9")
                .hasMessageContaining("learner weights: value NaN at 3");
        assertThatThrownBy(() -> KeyStateCodec.decode(covarianceBytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learner covariance: value Infinity at 0");
    }

    @Test
    void readsVersionEightWithTheRangesWarmUpInTimeOver() {
        KeyState decoded = KeyStateCodec.decode(writtenByAvro(state(null), 8));

        assertThat(decoded.range()).isEqualTo(ValueRange.of(7, new double[] {-2.0}, new double[] {9.0},
                ValueRange.UNKNOWN_SINCE));
    }

    @Test
    void readsVersionSixAsRememberingNoEarlierEventTime() {
        KeyState state = state(null).restoreEarlierEventTimes(new long[] {990, 400});

        KeyState decoded = KeyStateCodec.decode(writtenByAvro(state, 6));

        assertThat(decoded.earlierEventTimes()).isEmpty();
        assertThat(KeyStateCodec.encode(decoded)).isEqualTo(KeyStateCodec.encode(withoutRangeStart(state(null))));
    }

    @Test
    void writesTheBytesAvroWritesForAKeyWithAWeeklyProfile() {
        KeyState learnt = learnt(TestingModels.persistence("1", 12), WEEKLY, 3_000);

        assertThat(learnt.learners()[0].profile().weekly()).isNotEmpty();
        assertThat(KeyStateCodec.encode(learnt)).isEqualTo(writtenByAvro(learnt));
        assertThat(KeyStateCodec.encode(KeyStateCodec.decode(KeyStateCodec.encode(learnt))))
                .isEqualTo(KeyStateCodec.encode(learnt));
    }

    @Test
    void refusesTruncatedBytesWithTheirVersionAndLength() {
        byte[] bytes = KeyStateCodec.encode(learnt(TestingModels.persistence("1", 12), 50));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> KeyStateCodec.decode(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Corrupt stored SeriesState (version 9, " + truncated.length + " bytes)");
    }

    @Test
    void refusesBytesLeftAfterTheState() {
        byte[] bytes = KeyStateCodec.encode(learnt(TestingModels.persistence("1", 12), 50));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

        assertThatThrownBy(() -> KeyStateCodec.decode(longer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes left after the state");
    }

    @Test
    void refusesLearnersThatDoNotMatchTheTargets() {
        KeyState learnt = learnt(TestingModels.persistence("1", 12), 50);
        KeyState twoTargets = KeyState.restored("m", "1", null, new float[3], 2, ErrorStats.empty(2),
                AnomalyLikelihood.empty(), ValueRange.empty(2), learnt.learners())
                .restoreProgress(0, 0, 0, AlertPolicy.NEVER, Double.NaN);
        byte[] bytes = KeyStateCodec.encode(twoTargets);

        assertThatThrownBy(() -> KeyStateCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 learners for 2 targets");
    }

    @Test
    void refusesLearnersOfDifferentHorizons() {
        Learner twelve = learnt(TestingModels.persistence("1", 12), 50).learners()[0];
        Learner one = learnt(TestingModels.persistence("1", 1), 50).learners()[0];
        KeyState mixed = KeyState.restored("m", "1", null, new float[3], 2, ErrorStats.empty(2),
                AnomalyLikelihood.empty(), ValueRange.empty(2), new Learner[] {twelve, one})
                .restoreProgress(0, 0, 0, AlertPolicy.NEVER, Double.NaN);
        byte[] bytes = KeyStateCodec.encode(mixed);

        assertThatThrownBy(() -> KeyStateCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learner 1 has horizon 1, learner 0 12");
    }

    @Test
    void refusesALengthLongerThanTheStoredBytesWithoutAllocatingIt() {
        byte[] bytes = KeyStateCodec.encode(learnt(TestingModels.persistence("1", 12), 50));
        // The model name's length, a one-byte varint after the version byte, claims 2^30 bytes instead.
        byte[] corrupt = new byte[bytes.length + 4];
        corrupt[0] = bytes[0];
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, corrupt, 1, 5);
        System.arraycopy(bytes, 2, corrupt, 6, bytes.length - 2);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        Throwable thrown = catchThrowable(() -> KeyStateCodec.decode(corrupt));

        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16L << 20);
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a string of 1073741824 bytes cannot fit");
    }

    /** The state of key {@code k} after {@code events} events of a daily cycle with noise, at the defaults. */
    private static KeyState learnt(GruModel model, int events) {
        return learnt(model, ForecastRules.defaults(), events);
    }

    private static KeyState learnt(GruModel model, ForecastRules rules, int events) {
        Map<String, KeyState> store = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        try (Forecaster forecaster = new Forecaster(rules, Backend.JAVA, 1)) {
            for (int i = 0; i < events; i++) {
                Event event = new Event("k", i * 300_000L,
                        Map.of("value", Math.sin(i * 2 * Math.PI / 288) + 0.1 * random.nextDouble()));
                store.putAll(forecaster.advance(List.of(event), model, store::get, new Forecaster.Outcomes() {
                    @Override
                    public void accepted(int index, Outcome outcome) {
                    }

                    @Override
                    public void refused(int index, Refusal refusal, String message) {
                        throw new AssertionError(message);
                    }
                }));
            }
        }
        return store.get("k");
    }

    /**
     * {@code state} as every version before 9 reads it back: the same but for its value range's first event time,
     * which they did not keep (the version-8 read is checked on its own).
     */
    private static KeyState withoutRangeStart(KeyState state) {
        return KeyStateCodec.decode(writtenByAvro(state, 8));
    }

    /** What Avro's own writer gives for the state's {@link SeriesState} record: the reference for the codec. */
    /** {@code record} as version {@code version} stored it: its version byte, then the record in Avro binary. */
    private static byte[] storedAs(int version, GenericRecord record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(version);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    private static byte[] writtenByAvro(KeyState state) {
        return writtenByAvro(state, VersionedRecordCodec.forClass(SeriesState.class).currentVersion());
    }

    /**
     * The same, as {@code version} (3 or later) wrote it with its own schema: version 3's learners had the first nine
     * inputs only and the ring of inputs in doubles; the profiles of versions 3 and 4 had no weekly part.
     */
    private static byte[] writtenByAvro(KeyState state, int version) {
        boolean versionThree = version == 3;
        ByteBuffer hidden = ByteBuffer.allocate(state.hidden().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        hidden.asFloatBuffer().put(state.hidden());
        ErrorStats errors = state.errors();
        KeyStats features = state.features();
        SeriesState record = SeriesState.newBuilder()
                .setModelName(state.modelName())
                .setModelVersion(state.modelVersion())
                .setHidden(hidden)
                .setStep(state.step())
                .setLastEventTime(Instant.ofEpochMilli(state.lastEventTime()))
                .setForecast(state.hasForecast() ? list(state.targets(), state::forecast) : List.of())
                .setResiduals(ResidualStats.newBuilder()
                        .setCount(errors.count())
                        .setMean(list(errors.targets(), errors::mean))
                        .setVariance(list(errors.targets(), errors::variance))
                        .setMeanAbsDeviation(list(errors.targets(), errors::meanAbsDeviation))
                        .build())
                .setLastAlertTime(state.lastAlertTime() == AlertPolicy.NEVER
                        ? null : Instant.ofEpochMilli(state.lastAlertTime()))
                .setFeatureStats(features == null ? null : FeatureStats.newBuilder()
                        .setCount(features.count())
                        .setMean(list(features.size(), features::mean))
                        .setVariance(list(features.size(), features::variance))
                        .build())
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
                        .setSince(state.range().since())
                        .build())
                .setLearners(state.learners() == null ? null
                        : Arrays.stream(state.learners()).map(learner -> learnerRecord(learner, versionThree))
                                .toList())
                .setLastStreamTime(Instant.ofEpochMilli(state.lastActiveStreamTime()))
                .setEarlierEventLags(Arrays.stream(state.earlierEventTimes()).map(t -> state.lastEventTime() - t)
                        .boxed().toList())
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(version);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        try {
            // The generated record's fields of older versions keep their positions: new ones were appended.
            new SpecificDatumWriter<SeriesState>(SchemaHistory.version("SeriesState", version)).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static LearnerState learnerRecord(Learner learner, boolean versionThree) {
        double[] p = learner.covariance();
        int all = Learner.INPUTS;
        int n = versionThree ? 9 : all;
        double[] upper = new double[n * (n + 1) / 2];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                upper[at++] = p[i * all + j];
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
        List<Long> inexact = new ArrayList<>();
        for (int k = 0; k < horizon; k++) {
            scale[k] = intervals.errorScale(k);
            log[k] = intervals.logMultiplier(k);
            logHigh[k] = intervals.logMultiplierHigh(k);
            inexact.add(intervals.inexactErrors(k));
        }
        return LearnerState.newBuilder()
                .setEvents(learner.events())
                .setCovariance(littleEndian(upper))
                .setWeights(littleEndian(firstInputs(learner.weights(), n)))
                .setRingInputs(versionThree ? littleEndian(firstInputs(doubles(learner.ringInputs()), n))
                        : littleEndian(learner.ringInputs()))
                .setRingValues(littleEndian(learner.ringValues()))
                .setRingScales(littleEndian(learner.ringScales()))
                .setRingFar(littleEndian(learner.ringFar()))
                .setRingGuards(littleEndian(learner.ringGuards()))
                .setErrorScale(littleEndian(learner.errorScale()))
                .setLearnerError(littleEndian(learner.learnerError()))
                .setPersistenceError(littleEndian(learner.persistenceError()))
                .setProfile(DayProfileState.newBuilder()
                        .setBins(littleEndian(bins))
                        .setEvents(profile.events())
                        .setLastTime(profile.lastTime())
                        .setMeanInterval(profile.meanInterval())
                        .setFastMean(profile.fastMean())
                        .setSlowMean(profile.slowMean())
                        .setLastValue(profile.lastValue())
                        .setWeekly(littleEndian(profile.weekly()))
                        .setPlainError(profile.plainError())
                        .setWeeklyError(profile.weeklyError())
                        .build())
                .setIntervals(IntervalState.newBuilder()
                        .setErrorScale(littleEndian(scale))
                        .setLogMultiplier(littleEndian(log))
                        .setLogMultiplierHigh(littleEndian(logHigh))
                        .setInexactErrors(inexact)
                        .build())
                .build();
    }

    /** The first {@code n} values of each row of {@link Learner#INPUTS}. */
    private static double[] firstInputs(double[] rows, int n) {
        double[] narrow = new double[rows.length / Learner.INPUTS * n];
        for (int row = 0; row < rows.length / Learner.INPUTS; row++) {
            System.arraycopy(rows, row * Learner.INPUTS, narrow, row * n, n);
        }
        return narrow;
    }

    private static double[] doubles(float[] values) {
        double[] wide = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return wide;
    }

    private static ByteBuffer littleEndian(double[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asDoubleBuffer().put(values);
        return buffer;
    }

    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    private static ByteBuffer littleEndian(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return buffer;
    }

    private static List<Double> list(int size, IntToDoubleFunction value) {
        List<Double> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(value.applyAsDouble(i));
        }
        return list;
    }
}
