package dev.grustream.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grustream.forecast.Accuracy;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.model.GruModel;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.service.ModelSource;
import dev.grustream.testing.TestingModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training runs on small synthetic series: what they learn, and that they are reproducible. */
class TrainerTest {

    private static final List<TrainingSeries> SINES = SyntheticData.sines(3, 600, 5);

    private static TrainingConfig.Builder quick() {
        return TrainingConfig.builder().model(model().hiddenSize(8)).epochs(15).window(24).batch(8)
                .learningRate(1e-2).threads(1);
    }

    private static ModelSpec.Builder model() {
        return TrainingConfig.defaultModel(List.of("value"), List.of("value"));
    }

    @Test
    void learnsNoisySinesWellBelowPersistence() {
        TrainingResult result = new Trainer(quick().build()).train(SINES, TrainingListener.NONE);

        EpochReport best = result.best();
        assertThat(best.validationLoss()).isLessThan(0.5 * best.persistenceLoss());
        assertThat(best.validationLoss()).isLessThan(0.5 * result.epochs().get(0).validationLoss());
        assertThat(best.validationMase()).isLessThan(0.8);
    }

    @Test
    void aBatchWhoseGradientsWouldOutgrowTheHeapIsRefusedBeforeTraining() {
        // A window per row and a batch of all of them: about 1,500 gradients of some six million parameters each.
        TrainingConfig config = quick().model(model().hiddenSize(1024)).window(1).batch(Integer.MAX_VALUE).build();

        assertThatThrownBy(() -> new Trainer(config).train(SINES, TrainingListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameters per window").hasMessageContaining("lower --batch");
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        GruModel first = new Trainer(quick().epochs(3).build()).train(SINES, TrainingListener.NONE).model();
        GruModel second = new Trainer(quick().epochs(3).build()).train(SINES, TrainingListener.NONE).model();

        assertSameWeights(first, second);
    }

    @Test
    void theWeightsDoNotDependOnTheNumberOfThreads() {
        GruModel single = new Trainer(quick().epochs(3).build()).train(SINES, TrainingListener.NONE).model();
        GruModel parallel = new Trainer(quick().epochs(3).threads(3).build()).train(SINES, TrainingListener.NONE)
                .model();

        assertSameWeights(single, parallel);
    }

    @Test
    void anotherSeedGivesOtherWeights() {
        GruModel first = new Trainer(quick().epochs(1).build()).train(SINES, TrainingListener.NONE).model();
        GruModel second = new Trainer(quick().epochs(1).seed(7).build()).train(SINES, TrainingListener.NONE)
                .model();

        assertThat(first.headWeight()).isNotEqualTo(second.headWeight());
    }

    @Test
    void reportsTheValidationAccuracyOfTheKeptModelAsTheServiceWouldScoreIt() {
        TrainingResult result = new Trainer(quick().epochs(4).build()).train(SINES, TrainingListener.NONE);

        TrainingSeries series = SINES.get(2);
        int firstValidationRow = series.rows() - 120;
        Accuracy replayed = ForecastEvaluation.evaluate(result.model(), series, firstValidationRow).get(0);
        assertThat(result.validationAccuracy().get("sine-2").get(0)).isEqualTo(replayed);
    }

    @Test
    void stopsEarlyWhenValidationStopsImproving() {
        TrainingResult result = new Trainer(quick().epochs(200).patience(2).learningRate(0.05).build())
                .train(SINES, TrainingListener.NONE);

        int epochs = result.epochs().size() - 1;
        assertThat(epochs).isLessThan(200);
        assertThat(epochs - result.bestEpoch()).isEqualTo(2);
    }

    @Test
    void normalisesPerKeyByDefaultAndFixedOnRequest() {
        TrainingResult perKey = new Trainer(quick().epochs(1).build()).train(SINES, TrainingListener.NONE);
        TrainingResult fixed = new Trainer(quick().epochs(1).model(model().hiddenSize(8)
                .normalization(TrainingConfig.unitNormalization(1, null))).build())
                .train(SINES, TrainingListener.NONE);

        assertThat(perKey.model().spec().normalization().perKey()).contains(TrainingConfig.DEFAULT_PER_KEY);
        assertThat(fixed.model().spec().normalization().perKey()).isEmpty();
        // Fixed statistics are those of the raw training values: levels 1, 10 and 100 average to 37.
        assertThat(fixed.model().spec().normalization().mean(0)).isBetween(30.0, 45.0);
    }

    @Test
    void fixedStatisticsKeepTheSpreadOfValuesFarFromZero() {
        long[] times = new long[600];
        double[] values = new double[600];
        for (int i = 0; i < times.length; i++) {
            times[i] = 1_700_000_000_000L + i * 60_000L;
            // Floats near 1e8 are 8 apart: values in floats would all be 1e8.
            values[i] = 1e8 + i % 3;
        }
        TrainingResult fixed = new Trainer(quick().epochs(1).model(model().hiddenSize(8)
                .normalization(TrainingConfig.unitNormalization(1, null))).build())
                .train(List.of(TrainingSeries.of("far", times, 1, values)), TrainingListener.NONE);

        // The first 480 rows (the rest validate) hold 0, 1 and 2 equally often: mean 1e8 + 1, spread sqrt(2/3).
        assertThat(fixed.model().spec().normalization().mean(0)).isCloseTo(1e8 + 1, within(1e-6));
        assertThat(fixed.model().spec().normalization().std(0)).isCloseTo(Math.sqrt(2.0 / 3), within(1e-6));
    }

    @Test
    void aKeyThatStartsMovingAfterAFlatStretchDoesNotDecideTheValidationLossAlone() {
        double[] flatThenMoving = new double[400];
        Random noise = new Random(3);
        for (int i = 330; i < flatThenMoving.length; i++) {
            flatThenMoving[i] = 5 + noise.nextGaussian();
        }
        List<TrainingSeries> series = new ArrayList<>(SINES);
        series.add(TrainingSeries.regular("flat-then-moving", 0, 60_000, 1, flatThenMoving));

        TrainingResult withIt = new Trainer(quick().epochs(2).build()).train(series, TrainingListener.NONE);
        TrainingResult without = new Trainer(quick().epochs(2).build()).train(SINES, TrainingListener.NONE);

        // Unclipped, its first moves alone made the loss about 1e16 and training refused to write any model.
        assertThat(withIt.bestEpoch()).isPositive();
        assertThat(withIt.best().persistenceLoss()).isLessThan(10 * without.best().persistenceLoss());
    }

    @Test
    void skipsSeriesTooShortToTrainOn() {
        List<TrainingSeries> series = new ArrayList<>(SINES);
        series.add(TrainingSeries.regular("tiny", 0, 60_000, 1, new double[] {1, 2}));

        TrainingResult result = new Trainer(quick().epochs(1).build()).train(series, TrainingListener.NONE);

        assertThat(result.skippedSeries()).containsExactly("tiny");
        assertThat(result.data().keys()).isEqualTo(3);
    }

    @Test
    void refusesSeriesWithAnotherNumberOfFeatures() {
        List<TrainingSeries> series = List.of(SyntheticData.gaussian("two", 2, 50, 1));

        assertThatThrownBy(() -> new Trainer(quick().build()).train(series, TrainingListener.NONE))
                .hasMessage("two: expected 1 features per row [value], found 2");
    }

    @Test
    void refusesATargetThatIsNotAFeature() {
        assertThatThrownBy(() -> quick().model(model().targets("latency")).build())
                .hasMessage("targets[0]: expected one of the features [value], found \"latency\"");
    }

    @Test
    void tellsTheListenerAboutEveryBatchAndEpoch() {
        List<String> events = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void started(DataSummary data, EpochReport initial) {
                events.add("started " + data.batchesPerEpoch());
            }

            @Override
            public void batch(int epoch, int batch, int batches, double loss) {
                events.add("batch " + epoch + "." + batch);
            }

            @Override
            public void epoch(EpochReport report) {
                events.add("epoch " + report.epoch());
            }
        };

        // 3 keys x (480 training rows - 1) steps in windows of 24: 3 x 20 windows, 8 per batch.
        new Trainer(quick().epochs(1).build()).train(SINES, listener);

        assertThat(events).hasSize(10).startsWith("started 8", "batch 1.1").endsWith("batch 1.8", "epoch 1");
    }

    @Test
    void aWindowNeverSpansARestartOfTheKey() {
        TrainingSeries sine = SINES.get(0);
        long[] times = new long[sine.rows()];
        double[] values = new double[sine.rows()];
        for (int i = 0; i < times.length; i++) {
            // Two days between rows 99 and 100: the service restarts the key at row 100 (state.reset.gap.ms).
            times[i] = sine.time(0) + i * 60_000L + (i >= 100 ? 2 * 86_400_000L : 0);
            values[i] = sine.value(i, 0);
        }
        List<Integer> windows = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void started(DataSummary data, EpochReport initial) {
                windows.add(data.windows());
            }
        };

        new Trainer(quick().epochs(1).build()).train(List.of(TrainingSeries.of("gap", times, 1, values)), listener);

        // 479 steps in windows of 24 would be 20 windows; rows 0-99 and 100-478 apart are 5 and 16.
        assertThat(windows).containsExactly(21);
    }

    @Test
    void noTargetReachesAcrossARestartOfTheKey() {
        ModelSpec spec = TestingModels.persistence("1", 3).spec();
        long[] times = new long[10];
        double[] values = new double[10];
        for (int i = 0; i < times.length; i++) {
            // Two hours between rows 5 and 6: with state.reset.gap.ms at an hour, the service restarts the key at 6.
            times[i] = 1_700_000_000_000L + i * 60_000L + (i >= 6 ? 2 * 3_600_000L : 0);
            values[i] = i % 4;
        }
        ForecastRules defaults = ForecastRules.defaults();
        ForecastRules hourGap = new ForecastRules(defaults.lateGraceMs(), 3_600_000L, defaults.stateTtlMs(),
                defaults.maxAbsNormalized(), defaults.errors(), defaults.likelihood(), defaults.range(),
                defaults.alerts(), defaults.learning(), defaults.learner(), defaults.intervalAlerts());
        float[] inputs = new float[10 * spec.inputCount()];
        float[] targets = new float[10 * spec.headSize()];

        Trainer.prepare(spec, hourGap, TrainingSeries.of("gap", times, 1, values), 10, inputs, targets);

        for (int row = 0; row < 10; row++) {
            for (int k = 1; k <= 3; k++) {
                boolean leftOut = row < 6 && row + k >= 6 || row + k >= 10;
                assertThat(Float.isNaN(targets[row * 3 + k - 1])).as("row %d, step %d", row, k).isEqualTo(leftOut);
            }
        }
    }

    @Test
    void aKeyIdleBeyondTheStateTtlStartsAfreshWithItsStatisticsAsInTheService() {
        ModelSpec spec = ModelSource.bundled().spec();
        int rows = 120;
        long[] times = new long[rows];
        double[] values = new double[rows];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < rows; i++) {
            // Eight days between rows 59 and 60: beyond the default state.ttl.ms of seven.
            times[i] = 1_700_000_000_000L + i * 300_000L + (i >= 60 ? 8 * 86_400_000L : 0);
            values[i] = 50 + 10 * random.nextDouble();
        }
        TrainingSeries whole = TrainingSeries.of("k", times, 1, values);
        TrainingSeries after = TrainingSeries.of("k", Arrays.copyOfRange(times, 60, rows), 1,
                Arrays.copyOfRange(values, 60, rows));
        int width = spec.inputCount();
        float[] wholeInputs = new float[rows * width];
        float[] afterInputs = new float[(rows - 60) * width];

        Trainer.prepare(spec, ForecastRules.defaults(), whole, rows, wholeInputs, new float[rows * spec.headSize()]);
        Trainer.prepare(spec, ForecastRules.defaults(), after, rows - 60, afterInputs,
                new float[(rows - 60) * spec.headSize()]);

        assertThat(Arrays.copyOfRange(wholeInputs, 60 * width, rows * width)).containsExactly(afterInputs);
    }

    @Test
    void aKeyWithMoreTrainingValuesThanAnArrayHoldsIsRefusedByName() {
        TrainingSeries series = SyntheticData.gaussian("huge", 1, 10, 1);

        assertThat(Trainer.arraySize(series, 268_435_454, 8)).isEqualTo(2_147_483_632);
        assertThatThrownBy(() -> Trainer.arraySize(series, 268_435_455, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key huge has 268435455 training rows of 8 values, more than one array holds");
    }

    @Test
    void aHistoryWhoseEveryRowRestartsItsKeyIsRefused() {
        long[] times = new long[100];
        double[] values = new double[100];
        for (int i = 0; i < times.length; i++) {
            times[i] = 1_700_000_000_000L + i * 2 * 86_400_000L;
            values[i] = i % 7;
        }

        assertThatThrownBy(() -> new Trainer(quick().validationFraction(0).build())
                .train(List.of(TrainingSeries.of("sparse", times, 1, values)), TrainingListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no training row has a next row before its key restarts");
    }

    private static void assertSameWeights(GruModel first, GruModel second) {
        LayerWeights a = first.layer(0);
        LayerWeights b = second.layer(0);
        assertThat(a.weightIh()).containsExactly(b.weightIh());
        assertThat(a.weightHh()).containsExactly(b.weightHh());
        assertThat(a.biasIh()).containsExactly(b.biasIh());
        assertThat(a.biasHh()).containsExactly(b.biasHh());
        assertThat(first.headWeight()).containsExactly(second.headWeight());
        assertThat(first.headBias()).containsExactly(second.headBias());
    }
}
