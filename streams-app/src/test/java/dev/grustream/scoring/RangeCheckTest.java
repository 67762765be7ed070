package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RangeCheckTest {
    private final RangeCheck check = new RangeCheck(true, 0.05, 3);
    private final double[] min = {10.0};
    private final double[] max = {20.0};

    private static double[] values(double... values) {
        return values;
    }

    @Test
    void aValueBeyondTheMaximumByMoreThanTheToleranceIsOutside() {
        assertThat(check.isOutside(values(20.6), 10, min, max)).isTrue();
    }

    @Test
    void aValueBelowTheMinimumByMoreThanTheToleranceIsOutside() {
        assertThat(check.isOutside(values(9.4), 10, min, max)).isTrue();
    }

    @Test
    void aValueWithinTheToleranceIsInside() {
        assertThat(check.isOutside(values(20.4), 10, min, max)).isFalse();
        assertThat(check.isOutside(values(9.6), 10, min, max)).isFalse();
    }

    @Test
    void nothingIsOutsideDuringTheWarmUp() {
        assertThat(check.isOutside(values(100.0), 2, min, max)).isFalse();
    }

    @Test
    void aRangeWithoutWidthFlagsNothing() {
        assertThat(check.isOutside(values(100.0), 10, new double[] {5.0}, new double[] {5.0})).isFalse();
    }

    @Test
    void oneTargetOutsideIsEnough() {
        assertThat(check.isOutside(values(15.0, 50.0), 10, new double[] {10.0, 0.0}, new double[] {20.0, 1.0}))
                .isTrue();
    }

    @Test
    void aDisabledCheckFlagsNothing() {
        RangeCheck disabled = new RangeCheck(false, 0.05, 3);

        assertThat(disabled.isOutside(values(100.0), 10, min, max)).isFalse();
    }

    @Test
    void theFirstValueIsTheWholeRange() {
        double[] lo = new double[1];
        double[] hi = new double[1];

        long count = check.update(values(-3.0), 0, lo, hi);

        assertThat(count).isEqualTo(1);
        assertThat(lo[0]).isEqualTo(-3.0);
        assertThat(hi[0]).isEqualTo(-3.0);
    }

    @Test
    void updatesWidenTheRangeAndNeverNarrowIt() {
        long count = check.update(values(25.0), 10, min, max);
        count = check.update(values(15.0), count, min, max);
        count = check.update(values(5.0), count, min, max);

        assertThat(count).isEqualTo(13);
        assertThat(min[0]).isEqualTo(5.0);
        assertThat(max[0]).isEqualTo(25.0);
    }

    @Test
    void aDisabledCheckStillKeepsTheRange() {
        RangeCheck disabled = new RangeCheck(false, 0.05, 3);

        disabled.update(values(30.0), 10, min, max);

        assertThat(max[0]).isEqualTo(30.0);
    }

    @Test
    void refusesANegativeTolerance() {
        assertThatThrownBy(() -> new RangeCheck(true, -0.1, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance").hasMessageContaining("-0.1");
    }
}
