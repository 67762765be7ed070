package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
    /** When the values tested are observed, under rules with no warm-up in time. */
    private static final long NOW = 0;
    private static final long DAY = 86_400_000L;
    private final ValueRange.Rule rule = new ValueRange.Rule(true, 0.05, 3, 0);

    private static ValueRange range(long count, double min, double max) {
        return ValueRange.of(count, new double[] {min}, new double[] {max}, 0);
    }

    private static double[] values(double... values) {
        return values;
    }

    @Test
    void aValueBeyondTheMaximumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.6), rule, NOW)).isTrue();
    }

    @Test
    void aValueBelowTheMinimumByMoreThanTheToleranceIsExcluded() {
        assertThat(range(10, 10, 20).excludes(values(9.4), rule, NOW)).isTrue();
    }

    @Test
    void aValueWithinTheToleranceIsNotExcluded() {
        assertThat(range(10, 10, 20).excludes(values(20.4), rule, NOW)).isFalse();
        assertThat(range(10, 10, 20).excludes(values(9.6), rule, NOW)).isFalse();
    }

    @Test
    void nothingIsExcludedDuringTheWarmUp() {
        assertThat(range(2, 10, 20).excludes(values(100.0), rule, NOW)).isFalse();
    }

    @Test
    void aRangeWithoutWidthExcludesNothing() {
        assertThat(range(10, 5, 5).excludes(values(100.0), rule, NOW)).isFalse();
    }

    @Test
    void oneTargetOutsideIsEnough() {
        ValueRange range = ValueRange.of(10, new double[] {10.0, 0.0}, new double[] {20.0, 1.0}, 0);

        assertThat(range.excludes(values(15.0, 50.0), rule, NOW)).isTrue();
    }

    @Test
    void aDisabledRuleExcludesNothing() {
        ValueRange.Rule disabled = new ValueRange.Rule(false, 0.05, 3, 0);

        assertThat(range(10, 10, 20).excludes(values(100.0), disabled, NOW)).isFalse();
    }

    @Test
    void theFirstValueIsTheWholeRange() {
        ValueRange range = ValueRange.empty(1);

        range.include(values(-3.0), 0);

        assertThat(range.count()).isEqualTo(1);
        assertThat(range.min(0)).isEqualTo(-3.0);
        assertThat(range.max(0)).isEqualTo(-3.0);
    }

    @Test
    void valuesWidenTheRangeAndNeverNarrowIt() {
        ValueRange range = range(10, 10, 20);

        range.include(values(25.0), 0);
        range.include(values(15.0), 0);
        range.include(values(5.0), 0);

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

        assertThat(range.excludes(values(105.0), rule, NOW)).isFalse();
        assertThat(range.excludes(values(-5.0), rule, NOW)).isFalse();
        assertThat(range.excludes(values(105.001), rule, NOW)).isTrue();
        assertThat(range.excludes(values(-5.001), rule, NOW)).isTrue();
    }

    @Test
    void theRuleAppliesOnceTheRangeHoldsExactlyItsWarmUp() {
        assertThat(range(3, 0.0, 1.0).excludes(values(10.0), rule, NOW)).isTrue();
        assertThat(range(2, 0.0, 1.0).excludes(values(10.0), rule, NOW)).isFalse();
    }

    @Test
    void untilTheWarmUpTimeHasPassedSinceTheFirstValueOnlyAValueBeyondTheRangeByItsWholeWidthCounts() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, DAY);

        assertThat(range(3, 0.0, 1.0).excludes(values(1.5), day, DAY - 1)).isFalse();
        assertThat(range(3, 0.0, 1.0).excludes(values(2.001), day, DAY - 1)).isTrue();
        assertThat(range(3, 0.0, 1.0).excludes(values(-1.001), day, DAY - 1)).isTrue();
    }

    @Test
    void onceTheWarmUpTimeHasPassedSinceTheFirstValueTheToleranceCounts() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, DAY);

        assertThat(range(3, 0.0, 1.0).excludes(values(1.5), day, DAY)).isTrue();
    }

    @Test
    void aRangeStoredBeforeItsFirstEventTimeWasKeptCountsAsWarm() {
        ValueRange.Rule day = new ValueRange.Rule(true, 0.05, 3, DAY);
        ValueRange stored = ValueRange.of(3, new double[] {0.0}, new double[] {1.0}, ValueRange.UNKNOWN_SINCE);

        assertThat(stored.excludes(values(1.5), day, NOW)).isTrue();
    }

    @Test
    void theFirstValueStartsTheWarmUpInTime() {
        ValueRange range = ValueRange.empty(1);

        range.include(values(1.0), 5_000);
        range.include(values(2.0), 6_000);

        assertThat(range.since()).isEqualTo(5_000);
    }

    @Test
    void refusesANegativeWarmUpTime() {
        assertThatThrownBy(() -> new ValueRange.Rule(true, 0.05, 3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmupMillis");
    }

    @Test
    void aRuleAcceptsNoToleranceAndNoWarmUpAndAnEmptyRangeRestores() {
        ValueRange.Rule strict = new ValueRange.Rule(true, 0.0, 0, 0);

        assertThat(range(5, 0.0, 1.0).excludes(values(1.000001), strict, NOW)).isTrue();
        assertThat(ValueRange.of(0, new double[1], new double[1], 0)).isEqualTo(ValueRange.empty(1));
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
