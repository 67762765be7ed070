package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
    /** The mean interval of a key that keeps none. */
    private static final double NO_INTERVAL = Double.NaN;
    private final ValueRange.Rule rule = new ValueRange.Rule(true, 0.05, 3, 0);

    private static ValueRange range(long count, double min, double max) {
        return ValueRange.of(count, new double[] {min}, new double[] {max});
    }

    private static double[] values(double... values) {
        return values;
    }

    @Test
    void aValueBeyondTheMaximumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.6), rule, NO_INTERVAL)).isTrue();
    }

    @Test
    void aValueBelowTheMinimumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(9.4), rule, NO_INTERVAL)).isTrue();
    }

    @Test
    void aValueWithinTheToleranceIsNotExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.4), rule, NO_INTERVAL)).isFalse();
        assertThat(range(10, 10, 20).excludes(values(9.6), rule, NO_INTERVAL)).isFalse();
    }

    @Test
    void nothingIsExcludedDuringTheWarmUp() {
        assertThat(range(2, 10, 20).excludes(values(100.0), rule, NO_INTERVAL)).isFalse();
    }

    @Test
    void aRangeWithoutWidthExcludesNothing() {
        assertThat(range(10, 5, 5).excludes(values(100.0), rule, NO_INTERVAL)).isFalse();
    }

    @Test
    void oneTargetOutsideIsEnough() {
        ValueRange range = ValueRange.of(10, new double[] {10.0, 0.0}, new double[] {20.0, 1.0});

        assertThat(range.excludes(values(15.0, 50.0), rule, NO_INTERVAL)).isTrue();
    }

    @Test
    void aDisabledRuleExcludesNothing() {
        ValueRange.Rule disabled = new ValueRange.Rule(false, 0.05, 3, 0);

        assertThat(range(10, 10, 20).excludes(values(100.0), disabled, NO_INTERVAL)).isFalse();
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
        assertThatThrownBy(() -> new ValueRange.Rule(true, -0.1, 3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tolerance").hasMessageContaining("-0.1");
    }

    @Test
    void aValueExactlyAtTheToleranceIsNotExcluded() {
        ValueRange range = range(10, 0.0, 100.0);

        assertThat(range.excludes(values(105.0), rule, NO_INTERVAL)).isFalse();
        assertThat(range.excludes(values(-5.0), rule, NO_INTERVAL)).isFalse();
        assertThat(range.excludes(values(105.001), rule, NO_INTERVAL)).isTrue();
        assertThat(range.excludes(values(-5.001), rule, NO_INTERVAL)).isTrue();
    }

    @Test
    void theRuleAppliesOnceTheRangeHoldsExactlyItsWarmUp() {
        assertThat(range(3, 0.0, 1.0).excludes(values(10.0), rule, NO_INTERVAL)).isTrue();
        assertThat(range(2, 0.0, 1.0).excludes(values(10.0), rule, NO_INTERVAL)).isFalse();
    }

    @Test
    void untilTheRangesValuesSpanTheWarmUpTimeOnlyAValueBeyondItByItsWholeWidthCounts() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, 86_400_000L);

        assertThat(range(287, 0.0, 1.0).excludes(values(1.5), day, 300.0)).isFalse();
        assertThat(range(287, 0.0, 1.0).excludes(values(2.001), day, 300.0)).isTrue();
        assertThat(range(287, 0.0, 1.0).excludes(values(-1.001), day, 300.0)).isTrue();
    }

    @Test
    void onceTheRangesValuesSpanTheWarmUpTimeTheToleranceCounts() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, 86_400_000L);

        assertThat(range(288, 0.0, 1.0).excludes(values(1.5), day, 300.0)).isTrue();
        assertThat(range(288, 0.0, 1.0).excludes(values(1.5), day, 0.0)).as("no interval known yet").isFalse();
    }

    @Test
    void aKeyThatKeepsNoMeanIntervalCountsItsWarmUpInValuesAlone() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, 86_400_000L);

        assertThat(range(3, 0.0, 1.0).excludes(values(1.5), day, NO_INTERVAL)).isTrue();
    }

    @Test
    void refusesANegativeWarmUpTime() {
        assertThatThrownBy(() -> new ValueRange.Rule(true, 0.05, 3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmupMillis");
    }

    @Test
    void aRuleAcceptsNoToleranceAndNoWarmUpAndAnEmptyRangeRestores() {
        ValueRange.Rule strict = new ValueRange.Rule(true, 0.0, 0, 0);

        assertThat(range(5, 0.0, 1.0).excludes(values(1.000001), strict, NO_INTERVAL)).isTrue();
        assertThat(ValueRange.of(0, new double[1], new double[1])).isEqualTo(ValueRange.empty(1));
    }

    @Test
    void rangesThatDifferInAnyPartAreUnequalWithDifferentHashCodes() {
        ValueRange base = range(10, 0.0, 1.0);
        assertThat(base).isEqualTo(range(10, 0.0, 1.0)).hasSameHashCodeAs(range(10, 0.0, 1.0));
        for (ValueRange other : new ValueRange[] {range(11, 0.0, 1.0), range(10, -1.0, 1.0), range(10, 0.0, 2.0)}) {
            assertThat(other).isNotEqualTo(base);
            assertThat(other.hashCode()).as(other.toString()).isNotEqualTo(base.hashCode());
        }
    }

    @Test
    void toStringShowsTheCountAndTheBounds() {
        assertThat(range(10, -2.5, 7.5).toString()).contains("count=10", "-2.5", "7.5");
    }
}
