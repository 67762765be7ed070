package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.oauthbearer.internals.secured.Retry;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/**
 * The token endpoint's retry settings as Kafka's own retry loop runs them, on a clock that moves a millisecond at
 * every reading: the worst case of a millisecond ticking between two of Kafka's readings.
 */
class OAuthLoginRetryTest {
    private int attempts;

    @Test
    void kafkaAsksTheTokenEndpointExactlyOnceTheRetriesBeingOurs() {
        assertThatThrownBy(() -> failingCallThrough(OAuthBearerTokens.ONE_ATTEMPT))
                .isInstanceOf(ExecutionException.class).hasRootCauseMessage("endpoint down");
        assertThat(attempts).isEqualTo(1);
    }

    /** Why the window is not 0: should Kafka change this, the window may be. */
    @Test
    void kafkasRetryMakesNoAttemptInAWindowOfZeroOnceItsClockTicks() {
        assertThatThrownBy(() -> failingCallThrough(Map.of(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MS, 0L,
                SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MAX_MS, 0L))).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(attempts).isZero();
    }

    private void failingCallThrough(Map<String, Long> settings) throws ExecutionException {
        new Retry<Void>(new TickingTime(), settings.get(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MS),
                settings.get(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MAX_MS)).execute(() -> {
                    attempts++;
                    throw new ExecutionException(new IllegalArgumentException("endpoint down"));
                });
    }

    /** A clock a millisecond later at every reading; sleeping moves it on. Not thread-safe. */
    private static final class TickingTime implements Time {
        private long now;

        @Override
        public long milliseconds() {
            return now++;
        }

        @Override
        public long nanoseconds() {
            return milliseconds() * 1_000_000;
        }

        @Override
        public void sleep(long ms) {
            now += ms;
        }

        @Override
        public void waitObject(Object object, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }
}
