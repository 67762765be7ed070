package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateFixture;
import dev.grustream.scoring.ErrorStats;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecodedStatesTest {
    private final KeyState state = KeyStateFixture.of("m", "1", 3, 1_000, 1.5, ErrorStats.empty(1), 0.0);

    @Test
    void theLeastRecentlyUsedKeyGoesFirstBeyondTheLimit() {
        DecodedStates cache = new DecodedStates(2);
        cache.putAll(Map.of("a", state));
        cache.putAll(Map.of("b", state));
        cache.get("a");

        cache.putAll(Map.of("c", state));

        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isSameAs(state);
        assertThat(cache.get("c")).isSameAs(state);
    }

    @Test
    void aLimitOfZeroKeepsNothing() {
        DecodedStates cache = new DecodedStates(0);
        cache.putAll(Map.of("a", state));

        assertThat(cache.size()).isZero();
    }
}
