package dev.grustream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlertPolicyTest {
    private final AlertPolicy policy = new AlertPolicy(0.99, 0.9999, 10, 60_000);

    @Test
    void noAlertBelowTheThreshold() {
        assertThat(policy.decide(0.98, 100, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.NONE);
    }

    @Test
    void warningAtTheThreshold() {
        assertThat(policy.decide(0.99, 100, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.WARNING);
    }

    @Test
    void criticalAtTheCriticalThreshold() {
        assertThat(policy.decide(0.99995, 100, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.CRITICAL);
    }

    @Test
    void noAlertDuringWarmUp() {
        assertThat(policy.decide(0.995, 10, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.NONE);
        assertThat(policy.decide(0.995, 11, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.WARNING);
    }

    @Test
    void noAlertInsideTheSuppressionWindow() {
        assertThat(policy.decide(1.0, 100, 1_000, 60_999)).isEqualTo(AlertLevel.NONE);
        assertThat(policy.decide(1.0, 100, 1_000, 61_000)).isEqualTo(AlertLevel.CRITICAL);
    }

    @Test
    void anObservationOlderThanTheLastAlertRaisesNoneHoweverLongBefore() {
        // Each of a late incident's observations lies more than the window before the last alert: one alert each.
        assertThat(policy.decide(1.0, 100, 6_000_000, 1_000)).isEqualTo(AlertLevel.NONE);
        assertThat(policy.decide(1.0, 100, 6_000_000, 61_000)).isEqualTo(AlertLevel.NONE);
    }

    @Test
    void withoutSuppressionALateObservationAlerts() {
        assertThat(new AlertPolicy(0.99, 0.9999, 10, 0).decide(1.0, 100, 61_000, 60_000))
                .isEqualTo(AlertLevel.CRITICAL);
    }

    @Test
    void flagIgnoresWarmUpAndSuppression() {
        assertThat(policy.isAnomalous(0.995)).isTrue();
    }

    @Test
    void rejectsACriticalThresholdBelowTheThreshold() {
        assertThatThrownBy(() -> new AlertPolicy(0.99, 0.9, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criticalThreshold");
    }

    @Test
    void criticalExactlyAtTheCriticalThreshold() {
        assertThat(policy.decide(0.9999, 100, AlertPolicy.NEVER, 0)).isEqualTo(AlertLevel.CRITICAL);
    }

    @Test
    void acceptsThresholdsAtTheEdgesOfTheirRangesAndNoWarmUpOrSuppression() {
        assertThat(new AlertPolicy(0.0, 0.0, 0, 0).decide(0.0, 1, AlertPolicy.NEVER, 0))
                .isEqualTo(AlertLevel.CRITICAL);
        assertThat(new AlertPolicy(1.0, 1.0, 0, 0).decide(1.0, 1, AlertPolicy.NEVER, 0))
                .isEqualTo(AlertLevel.CRITICAL);
    }

    @Test
    void rejectsThresholdsOutsideZeroToOneAndNegativeDurations() {
        assertThatThrownBy(() -> new AlertPolicy(-0.01, 0.5, 0, 0)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new AlertPolicy(0.5, 1.01, 0, 0)).hasMessageContaining("criticalThreshold");
        assertThatThrownBy(() -> new AlertPolicy(0.5, 0.9, -1, 0)).hasMessageContaining("warmupEvents");
        assertThatThrownBy(() -> new AlertPolicy(0.5, 0.9, 0, -1)).hasMessageContaining("suppressionMillis");
    }
}
