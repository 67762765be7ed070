package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void computesTheErrorMeasuresOfKnownRows() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(10, 8, Double.NaN);
        accuracy.add(12, 11, 10);
        accuracy.add(9, 12, 12);

        assertThat(accuracy.count()).isEqualTo(3);
        assertThat(accuracy.mae()).isCloseTo(2.0, within(1e-12));
        assertThat(accuracy.rmse()).isCloseTo(Math.sqrt((4 + 1 + 9) / 3.0), within(1e-12));
        assertThat(accuracy.mape()).isCloseTo(100 * (0.2 + 1 / 12.0 + 3 / 9.0) / 3, within(1e-9));
        // Rows with a previous value: errors 1 and 3 against persistence errors 2 and 3.
        assertThat(accuracy.mase()).isCloseTo(4.0 / 5.0, within(1e-12));
    }

    @Test
    void maseIsUndefinedWhenPersistenceIsPerfect() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(5, 4, 5);

        assertThat(accuracy.mase()).isNaN();
    }

    @Test
    void mapeSkipsZeroActuals() {
        Accuracy accuracy = new Accuracy();
        accuracy.add(0, 1, Double.NaN);

        assertThat(accuracy.mape()).isNaN();
        assertThat(accuracy.mae()).isEqualTo(1.0);
    }

    @Test
    void mergingAddsTheRows() {
        Accuracy a = new Accuracy();
        a.add(10, 8, 9);
        Accuracy b = new Accuracy();
        b.add(10, 9, 8);
        a.addAll(b);

        assertThat(a.count()).isEqualTo(2);
        assertThat(a.mase()).isCloseTo(3.0 / 3.0, within(1e-12));
    }
}
