package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class NormalizationTest {

    private final Normalization normalization = Normalization.fixed(new double[] {100, -3}, new double[] {15, 0.2});

    @Test
    void normalisesPerFeature() {
        assertThat(normalization.normalise(0, 130)).isEqualTo(2f);
        assertThat(normalization.normalise(1, -3.1)).isCloseTo(-0.5f, offset(1e-6f));
    }

    @Test
    void denormalisesWhatItNormalised() {
        assertThat(normalization.denormalise(0, normalization.normalise(0, 117.25))).isCloseTo(117.25,
                offset(1e-5));
    }

    @Test
    void normalisesARowIntoAnOffset() {
        float[] out = new float[5];

        normalization.normaliseRow(new double[] {85, -2.8}, out, 3);

        assertThat(out).containsExactly(0f, 0f, 0f, -1f, 1f);
    }

    @Test
    void rejectsARowOfTheWrongLength() {
        assertThatThrownBy(() -> normalization.normaliseRow(new double[3], new float[3], 0))
                .hasMessage("raw: expected 2 values, found 3");
    }

    @Test
    void rejectsANonFiniteMean() {
        assertThatThrownBy(() -> Normalization.fixed(new double[] {Double.NaN}, new double[] {1}))
                .hasMessage("normalization.mean[0]: expected a finite number, found NaN");
    }

    @Test
    void rejectsAnInfiniteStandardDeviation() {
        assertThatThrownBy(() -> Normalization.fixed(new double[] {0}, new double[] {Double.POSITIVE_INFINITY}))
                .hasMessage("normalization.std[0]: expected a finite number > 0, found Infinity");
    }

    @Test
    void copiesItsInputs() {
        double[] mean = {1};
        Normalization copy = Normalization.fixed(mean, new double[] {1});
        mean[0] = 5;

        assertThat(copy.mean(0)).isEqualTo(1);
    }
}
