package dev.grustream.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.grustream.forecast.Accuracy;
import dev.grustream.model.GruModel;
import dev.grustream.testing.TestingModels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scoring a model's one-step forecasts over a series. */
class ForecastEvaluationTest {

    /** Forecasts the last value, to within 0.01% for values near 1. */
    private final GruModel persistence = TestingModels.persistence("1");

    @Test
    void aPersistenceModelScoresAMaseOfOne() {
        Accuracy accuracy = ForecastEvaluation.evaluate(persistence, randomWalk(500), 1).get(0);

        assertThat(accuracy.count()).isEqualTo(499);
        assertThat(accuracy.mase()).isCloseTo(1.0, offset(1e-3));
    }

    @Test
    void scoresOnlyTheRowsFromTheFirstOneAsked() {
        Accuracy accuracy = ForecastEvaluation.evaluate(persistence, randomWalk(500), 400).get(0);

        assertThat(accuracy.count()).isEqualTo(100);
    }

    @Test
    void aSeriesThatNeverChangesMakesAnyErrorInfinitelyWorseThanPersistence() {
        TrainingSeries flat = TrainingSeries.regular("flat", 0, 60_000, 1, new double[] {0.5, 0.5, 0.5});

        // The persistence model's forecasts pass through float normalisation, so they miss 0.5 by a rounding error.
        assertThat(ForecastEvaluation.evaluate(persistence, flat, 1).get(0).mase()).isInfinite();
    }

    @Test
    void rejectsScoringTheFirstRow() {
        assertThatThrownBy(() -> ForecastEvaluation.evaluate(persistence, randomWalk(5), 0))
                .hasMessage("fromRow: expected >= 1 (row 0 has no forecast), found 0");
    }

    @Test
    void rejectsASeriesWithAnotherNumberOfFeatures() {
        TrainingSeries twoFeatures = SyntheticData.gaussian("two", 2, 5, 1);

        assertThatThrownBy(() -> ForecastEvaluation.evaluate(persistence, twoFeatures, 1))
                .hasMessage("two: expected 1 features per row, found 2");
    }

    private static TrainingSeries randomWalk(int rows) {
        Random random = new Random(3);
        double[] values = new double[rows];
        double value = 1;
        for (int i = 0; i < rows; i++) {
            value += 0.01 * random.nextGaussian();
            values[i] = value;
        }
        return TrainingSeries.regular("walk", 0, 60_000, 1, values);
    }
}
