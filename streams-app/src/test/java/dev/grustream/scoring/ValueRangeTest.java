package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
    private final ValueRange.Rule rule = new ValueRange.Rule(true, 0.05, 3);

    private static ValueRange range(long count, double min, double max) {
        return ValueRange.of(count, new double[] {min}, new double[] {max});
    }

    private static double[] values(double... values) {
        return values;
    }

    @Test
    void aValueBeyondTheMaximumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.6), rule)).isTrue();
    }

    @Test
    void aValueBelowTheMinimumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(9.4), rule)).isTrue();
    }

    @Test
    void aValueWithinTheToleranceIsNotExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.4), rule)).isFalse();
        assertThat(range(10, 10, 20).excludes(values(9.6), rule)).isFalse();
    }

    @Test
    void nothingIsExcludedDuringTheWarmUp() {
        assertThat(range(2, 10, 20).excludes(values(100.0), rule)).isFalse();
    }

    @Test
    void aRangeWithoutWidthExcludesNothing() {
        assertThat(range(10, 5, 5).excludes(values(100.0), rule)).isFalse();
    }

    @Test
    void oneTargetOutsideIsEnough() {
        ValueRange range = ValueRange.of(10, new double[] {10.0, 0.0}, new double[] {20.0, 1.0});

        assertThat(range.excludes(values(15.0, 50.0), rule)).isTrue();
    }

    @Test
    void aDisabledRuleExcludesNothing() {
        ValueRange.Rule disabled = new ValueRange.Rule(false, 0.05, 3);

        assertThat(range(10, 10, 20).excludes(values(100.0), disabled)).isFalse();
    }

    @Test
    void theFirstValueIsTheWholeRange() {
        ValueRange range = ValueRange.empty(1);

        range.include(values(-3.0));

        assertThat(range.count()).isEqualTo(1);
        assertThat(range.min(0)).isEqualTo(-3.0);
        assertThat(range.max(0)).isEqualTo(-3.0);
    }

    @Test
    void valuesWidenTheRangeAndNeverNarrowIt() {
        ValueRange range = range(10, 10, 20);

        range.include(values(25.0));
        range.include(values(15.0));
        range.include(values(5.0));

        assertThat(range.count()).isEqualTo(13);
        assertThat(range.min(0)).isEqualTo(5.0);
        assertThat(range.max(0)).isEqualTo(25.0);
    }

    @Test
    void refusesANegativeTolerance() {
        assertThatThrownBy(() -> new ValueRange.Rule(true, -0.1, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance").hasMessageContaining("-0.1");
    }
}
