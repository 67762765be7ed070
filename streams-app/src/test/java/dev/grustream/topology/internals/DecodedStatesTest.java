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
    void holdsNoMoreThanItsLimit() {
        DecodedStates cache = new DecodedStates(100);
        for (int key = 0; key < 1_000; key++) {
            cache.putAll(Map.of("k" + key, state));
        }

        assertThat(cache.size()).isEqualTo(100);
    }

    @Test
    void keysThatComeInTurnStillHitWhenThereAreMoreThanItHolds() {
        DecodedStates cache = new DecodedStates(100);
        int hits = 0;
        for (int round = 0; round < 20; round++) {
            for (int key = 0; key < 250; key++) {
                if (cache.get("k" + key) != null) {
                    hits++;
                }
                cache.putAll(Map.of("k" + key, state));
            }
        }

        // A least-recently-used cache would evict every key before it comes back: no hit at all.
        assertThat(hits).isGreaterThan(20 * 250 / 4);
    }

    @Test
    void aNewStateOfACachedKeyReplacesTheCachedOne() {
        DecodedStates cache = new DecodedStates(10);
        KeyState restarted = KeyStateFixture.of("m", "1", 1, 2_000, 0.5, ErrorStats.empty(1), 0.0);
        cache.putAll(Map.of("a", state));

        cache.putAll(Map.of("a", restarted));

        assertThat(cache.get("a")).isSameAs(restarted);
    }

    @Test
    void aLimitOfZeroKeepsNothing() {
        DecodedStates cache = new DecodedStates(0);
        cache.putAll(Map.of("a", state));

        assertThat(cache.get("a")).isNull();
    }

    @Test
    void aClearedCacheForgetsEveryState() {
        DecodedStates cache = new DecodedStates(10);
        cache.putAll(Map.of("a", state, "b", state));

        cache.clear();

        assertThat(cache.get("a")).isNull();
        assertThat(cache.size()).isZero();
    }
}
