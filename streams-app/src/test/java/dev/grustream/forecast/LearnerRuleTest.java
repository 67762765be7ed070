package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearnerRuleTest {

    @Test
    void derivesTheForgettingFactorAndTheStartingMultipliers() {
        Learner.Rule rule = new Learner.Rule(300, 96, 0.9, 0.99, 50, false, false);

        assertThat(rule.lambda).isEqualTo(1 - 1 / 300.0);
        assertThat(rule.alpha).isCloseTo(0.1, within(1e-15));
        assertThat(rule.alphaHigh).isCloseTo(0.01, within(1e-15));
        assertThat(rule.coverage()).isEqualTo(0.9);
        assertThat(rule.highCoverage()).isCloseTo(0.99, within(1e-15));
        assertThat(rule.initialLogMultiplier).isCloseTo(Math.log(1.6448536269514722 * Math.sqrt(Math.PI / 2)),
                within(1e-9));
        assertThat(rule.initialLogMultiplierHigh).isCloseTo(Math.log(2.5758293035489004 * Math.sqrt(Math.PI / 2)),
                within(1e-9));
        assertThat(rule.profileBins).isEqualTo(96);
    }

    @Test
    void refusesAMemoryOfOneEventOrLess() {
        assertThatThrownBy(() -> new Learner.Rule(1, 96, 0.9, 0.99, 50, false, false))
                .hasMessageContaining("forgettingEvents");
        assertThatThrownBy(() -> new Learner.Rule(Double.POSITIVE_INFINITY, 96, 0.9, 0.99, 50, false, false))
                .hasMessageContaining("forgettingEvents");
        assertThat(new Learner.Rule(1.5, 96, 0.9, 0.99, 50, false, false).lambda).isCloseTo(1 / 3.0, within(1e-15));
    }

    @Test
    void refusesProfilesThatDoNotDivideADay() {
        assertThatThrownBy(() -> new Learner.Rule(300, 23, 0.9, 0.99, 50, false, false))
                .hasMessageContaining("profileBins");
        assertThatThrownBy(() -> new Learner.Rule(300, 31, 0.9, 0.99, 50, false, false))
                .hasMessageContaining("profileBins");
        assertThat(new Learner.Rule(300, 24, 0.9, 0.99, 50, false, false).profileBins).isEqualTo(24);
    }

    @Test
    void refusesCoveragesOutsideTheirRanges() {
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 0, 0.99, 50, false, false))
                .hasMessageContaining("coverage");
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 1, 0.99, 50, false, false))
                .hasMessageContaining("coverage");
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 0.9, 0.8, 50, false, false))
                .hasMessageContaining("coverage");
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 0.9, 1, 50, false, false))
                .hasMessageContaining("coverage");
        assertThat(new Learner.Rule(300, 96, 0.9, 0.9, 50, false, false).highCoverage()).isCloseTo(0.9, within(1e-15));
    }

    @Test
    void refusesAGuardHalfLifeBelowOneEvent() {
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 0.9, 0.99, 0.5, false, false))
                .hasMessageContaining("guardHalfLifeEvents");
        assertThatThrownBy(() -> new Learner.Rule(300, 96, 0.9, 0.99, Double.NaN, false, false))
                .hasMessageContaining("guardHalfLifeEvents");
    }
}
