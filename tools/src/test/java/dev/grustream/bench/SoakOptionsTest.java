package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SoakOptionsTest {
    @Test
    void aRateOfMoreThanOneObservationPerKeyAndMillisecondIsRefused() {
        assertThatThrownBy(() -> Soak.requireAtMostOnePerKeyAndMillisecond(25_000, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raise --active-keys to at least 25");
        assertThatCode(() -> Soak.requireAtMostOnePerKeyAndMillisecond(10_000, 10)).doesNotThrowAnyException();
    }
}
