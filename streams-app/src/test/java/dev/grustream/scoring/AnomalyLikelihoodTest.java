package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyLikelihoodTest {
    /** Mean and variance of |Z|, Z standard normal (scipy.stats.chi(1)). */
    private static final double HALF_NORMAL_MEAN = 0.7978845608028655;
    private static final double HALF_NORMAL_VARIANCE = 0.3633802276324184;

    private final AnomalyLikelihood likelihood = new AnomalyLikelihood(1, 10, 500);

    /** A key's statistics and count, fed as the service feeds them. */
    private final class Key {
        final double[] stats = new double[AnomalyLikelihood.STATS];
        long count;

        double score(double deviation) {
            return likelihood.likelihood(deviation, count, stats);
        }

        Key feed(double deviation) {
            count = likelihood.update(deviation, count, stats);
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
        assertThat(AnomalyLikelihood.studentT3(10)).isCloseTo(0.9989358004707929, within(1e-15));
        assertThat(AnomalyLikelihood.studentT3(1000)).isCloseTo(0.9999999988973461, within(1e-15));
    }

    @Test
    void extremeObservationsStayBelowOneAndOrdered() {
        assertThat(AnomalyLikelihood.studentT3(1e4)).isLessThan(1.0)
                .isLessThan(AnomalyLikelihood.studentT3(2e4));
    }

    @Test
    void aNewKeyIsMeasuredAgainstOrdinaryGaussianErrors() {
        assertThat(new Key().score(HALF_NORMAL_MEAN)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void theNewKeyPriorOfTwoTargetsIsTheChiDistributionWithTwoDegrees() {
        AnomalyLikelihood twoTargets = new AnomalyLikelihood(2, 10, 500);

        // scipy.stats.chi(2).mean()
        assertThat(twoTargets.likelihood(1.2533141373155003, 0, new double[AnomalyLikelihood.STATS]))
                .isCloseTo(0.5, within(1e-12));
    }

    @Test
    void theFirstDeviationIsItsOwnAverage() {
        Key key = new Key().feed(3.0);

        assertThat(key.count).isEqualTo(1);
        assertThat(key.stats[0]).isEqualTo(3.0);
    }

    @Test
    void theAverageMovesByAWindowthOfEachNewDeviation() {
        Key key = new Key().feed(1.0).feed(11.0);

        assertThat(key.stats[0]).isEqualTo(2.0);
    }

    @Test
    void statisticsConvergeToThoseOfTheAveragedDeviations() {
        Key key = new Key().feedHalfNormal(100_000, 3);

        // An exponential average with weight a = 1/10 of independent values has their mean and a/(2-a) of their
        // variance; 100,000 events at a half-life of 500 leave the estimates within a few percent.
        assertThat(key.stats[1]).isCloseTo(HALF_NORMAL_MEAN, within(0.03));
        assertThat(key.stats[2]).isCloseTo(HALF_NORMAL_VARIANCE * 0.1 / 1.9, within(0.006));
    }

    @Test
    void anOrdinaryDeviationScoresNearOneHalf() {
        Key key = new Key().feedHalfNormal(2_000, 5);

        assertThat(key.score(HALF_NORMAL_MEAN)).isBetween(0.3, 0.7);
    }

    @Test
    void aLargeDeviationScoresNearOne() {
        Key key = new Key().feedHalfNormal(2_000, 5);

        assertThat(key.score(20.0)).isGreaterThan(0.999);
    }

    @Test
    void aRunOfModerateDeviationsBecomesMoreAnomalousThanOneOfThem() {
        Key key = new Key().feedHalfNormal(2_000, 7);
        double single = key.score(3.0);
        for (int i = 0; i < 10; i++) {
            key.feed(3.0);
        }

        assertThat(key.score(3.0)).isGreaterThan(0.98).isGreaterThan(single);
    }

    @Test
    void aKeyUsedToLargeDeviationsIsLessAlarmedByOne() {
        Key calm = new Key().feedHalfNormal(2_000, 11);
        Key spiky = new Key();
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            spiky.feed(i % 20 == 0 ? 8.0 : Math.abs(random.nextGaussian()));
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
        assertThatThrownBy(() -> new AnomalyLikelihood(1, 0.5, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowEvents").hasMessageContaining("0.5");
    }
}
