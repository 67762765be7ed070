package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyLikelihoodTest {
    private final AnomalyLikelihood.Rule rule = new AnomalyLikelihood.Rule(10, 500);

    private static double surprise(double deviation) {
        return AnomalyLikelihood.surprise(deviation, 1);
    }

    /** A key's likelihood, fed deviations as the service feeds them. */
    private final class Key {
        final AnomalyLikelihood likelihood = AnomalyLikelihood.empty();

        double score(double deviation) {
            return likelihood.likelihood(surprise(deviation), rule);
        }

        Key feed(double deviation) {
            likelihood.add(surprise(deviation), rule);
            return this;
        }

        Key feedHalfNormal(int events, long seed) {
            Random random = new Random(seed);
            for (int i = 0; i < events; i++) {
                feed(Math.abs(random.nextGaussian()));
            }
            return this;
        }
    }

    @Test
    void distributionFunctionIsStudentsTWithThreeDegreesOfFreedom() {
        // scipy.stats.t.cdf(u, 3); the closed form is exact to rounding.
        assertThat(AnomalyLikelihood.studentT3(-2)).isCloseTo(0.06966298427942152, within(1e-15));
        assertThat(AnomalyLikelihood.studentT3(0)).isEqualTo(0.5);
        assertThat(AnomalyLikelihood.studentT3(1)).isCloseTo(0.8044988905221148, within(1e-15));
        assertThat(AnomalyLikelihood.studentT3(3.7)).isCloseTo(0.9828610102478729, within(1e-15));
        assertThat(AnomalyLikelihood.studentT3(1000)).isCloseTo(0.9999999988973461, within(1e-15));
    }

    @Test
    void extremeAveragesStayBelowOneAndOrdered() {
        assertThat(AnomalyLikelihood.studentT3(1e4)).isLessThan(1.0)
                .isLessThan(AnomalyLikelihood.studentT3(2e4));
    }

    @Test
    void surpriseIsTheChiSquaredDistributionFunctionOfTheScaledDeviation() {
        // scipy.stats.chi2.cdf((3 / 2)**2, 1) and chi2.cdf((5 / 2)**2, 2); commons-math's series converges to 1e-14.
        assertThat(surprise(3.0)).isCloseTo(0.8663855974622842, within(1e-12));
        assertThat(AnomalyLikelihood.surprise(5.0, 2)).isCloseTo(0.9560630663765926, within(1e-12));
    }

    @Test
    void surpriseIsBoundedByOne() {
        assertThat(surprise(1e6)).isEqualTo(1.0);
    }

    @Test
    void aDeviationWhoseSquareOverflowsIsFullySurprising() {
        assertThat(surprise(1e200)).isEqualTo(1.0);
        assertThat(surprise(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    }

    @Test
    void aNewKeysFirstLikelihoodIsOneHalf() {
        assertThat(new Key().score(10.0)).isEqualTo(0.5);
    }

    @Test
    void theFirstSurpriseIsItsOwnAverageAndTheStartingMean() {
        Key key = new Key().feed(3.0);

        assertThat(key.likelihood.count()).isEqualTo(1);
        assertThat(key.likelihood.average()).isEqualTo(surprise(3.0));
        assertThat(key.likelihood.mean()).isEqualTo(surprise(3.0));
    }

    @Test
    void theAverageMovesByAWindowthOfEachNewSurprise() {
        AnomalyLikelihood likelihood = AnomalyLikelihood.empty();
        likelihood.add(0.0, rule);
        likelihood.add(1.0, rule);

        assertThat(likelihood.average()).isCloseTo(0.1, within(1e-15));
    }

    @Test
    void statisticsConvergeToThoseOfTheAveragedSurprises() {
        Random random = new Random(3);
        AnomalyLikelihood likelihood = AnomalyLikelihood.empty();
        for (int i = 0; i < 100_000; i++) {
            likelihood.add(random.nextDouble(), rule);
        }

        // Uniform surprises: mean 1/2, variance 1/12; an exponential average with weight a = 1/10 keeps a/(2-a) of
        // the variance. 100,000 events at a half-life of 500 leave the estimates within a few percent.
        assertThat(likelihood.mean()).isCloseTo(0.5, within(0.02));
        assertThat(likelihood.variance()).isCloseTo(1.0 / 12 * 0.1 / 1.9, within(0.001));
    }

    @Test
    void anOrdinaryDeviationScoresNearOneHalf() {
        Key key = new Key().feedHalfNormal(2_000, 5);

        assertThat(key.score(0.7978845608028655)).isBetween(0.3, 0.7);
    }

    @Test
    void aRunOfLargeDeviationsScoresNearOne() {
        Key key = new Key().feedHalfNormal(2_000, 5);
        double single = key.score(8.0);
        for (int i = 0; i < 5; i++) {
            key.feed(8.0);
        }

        assertThat(key.score(8.0)).isGreaterThan(0.99).isGreaterThan(single);
    }

    @Test
    void aKeyUsedToLargeDeviationsIsLessAlarmedByOne() {
        Key calm = new Key();
        Key spiky = new Key();
        for (int i = 0; i < 2_000; i++) {
            calm.feed(0.8);
            spiky.feed(i % 20 == 0 ? 8.0 : 0.8);
        }

        assertThat(spiky.score(8.0)).isLessThan(calm.score(8.0));
    }

    @Test
    void aKeyWhoseErrorsNeverVaryIsNotAlarmedByATinyChange() {
        Key constant = new Key();
        for (int i = 0; i < 20_000; i++) {
            constant.feed(0.0);
        }

        assertThat(constant.score(0.001)).isLessThan(0.6);
    }

    @Test
    void refusesAWindowBelowOneEvent() {
        assertThatThrownBy(() -> new AnomalyLikelihood.Rule(0.5, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowEvents").hasMessageContaining("0.5");
    }

    @Test
    void aRuleAcceptsAWindowAndAHalfLifeOfOneEvent() {
        AnomalyLikelihood likelihood = AnomalyLikelihood.empty();
        likelihood.add(surprise(1.0), new AnomalyLikelihood.Rule(1.0, 1.0));

        assertThat(likelihood.count()).isEqualTo(1);
        assertThatThrownBy(() -> new AnomalyLikelihood.Rule(10, 0.99)).hasMessageContaining("halfLifeEvents");
    }

    @Test
    void statesThatDifferInAnyPartAreUnequalWithDifferentHashCodes() {
        AnomalyLikelihood base = AnomalyLikelihood.of(20, 1.5, 0.8, 0.04);
        assertThat(base).isEqualTo(AnomalyLikelihood.of(20, 1.5, 0.8, 0.04))
                .hasSameHashCodeAs(AnomalyLikelihood.of(20, 1.5, 0.8, 0.04));
        for (AnomalyLikelihood other : new AnomalyLikelihood[] {AnomalyLikelihood.of(21, 1.5, 0.8, 0.04),
                AnomalyLikelihood.of(20, 1.6, 0.8, 0.04), AnomalyLikelihood.of(20, 1.5, 0.9, 0.04),
                AnomalyLikelihood.of(20, 1.5, 0.8, 0.05)}) {
            assertThat(other).isNotEqualTo(base);
            assertThat(other.hashCode()).as(other.toString()).isNotEqualTo(base.hashCode());
        }
    }

    @Test
    void toStringShowsTheCountAndTheStatistics() {
        assertThat(AnomalyLikelihood.of(20, 1.5, 0.8, 0.04).toString()).contains("20", "1.5", "0.8", "0.04");
    }
}
