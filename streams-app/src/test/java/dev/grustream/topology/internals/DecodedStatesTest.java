package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateFixture;
import dev.grustream.scoring.ErrorStats;
import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DecodedStatesTest {
    private static final TaskId TASK = new TaskId(0, 0);
    private static final TaskId OTHER_TASK = new TaskId(0, 1);

    private final KeyState state = KeyStateFixture.of("m", "1", 3, 1_000, 1.5, ErrorStats.empty(1), 0.0);

    /** A cache whose bound holds {@code states} states of the fixture's size under keys as long as "k999". */
    private DecodedStates holding(int states) {
        return new DecodedStates((long) states * DecodedStates.weight("k999", state));
    }

    @Test
    void aLongKeyWeighsItsCharactersToo() {
        DecodedStates cache = holding(100);
        String longKey = "k".repeat(5_000);
        for (int key = 0; key < 1_000; key++) {
            cache.of(TASK).putAll(Map.of(longKey + key, state));
        }

        assertThat(cache.size()).isLessThan(100);
    }

    @Test
    void holdsNoMoreThanItsBoundInBytes() {
        DecodedStates cache = holding(100);
        for (int key = 0; key < 1_000; key++) {
            cache.of(TASK).putAll(Map.of("k" + key, state));
        }

        assertThat(cache.size()).isEqualTo(100);
    }

    @Test
    void tasksShareTheBound() {
        DecodedStates cache = holding(100);
        for (int key = 0; key < 1_000; key++) {
            cache.of(TASK).putAll(Map.of("k" + key, state));
            cache.of(OTHER_TASK).putAll(Map.of("k" + key, state));
        }

        assertThat(cache.size()).isEqualTo(100);
    }

    @Test
    void keysThatComeInTurnStillHitWhenThereAreMoreThanItHolds() {
        DecodedStates cache = holding(100);
        int hits = 0;
        for (int round = 0; round < 20; round++) {
            for (int key = 0; key < 250; key++) {
                if (cache.of(TASK).get("k" + key) != null) {
                    hits++;
                }
                cache.of(TASK).putAll(Map.of("k" + key, state));
            }
        }

        // A least-recently-used cache would evict every key before it comes back: no hit at all.
        assertThat(hits).isGreaterThan(20 * 250 / 4);
    }

    @Test
    void aTaskSeesOnlyItsOwnStates() {
        DecodedStates cache = holding(10);
        cache.of(TASK).putAll(Map.of("a", state));

        assertThat(cache.of(OTHER_TASK).get("a")).isNull();
        assertThat(cache.of(TASK).get("a")).isSameAs(state);
    }

    @Test
    void aNewStateOfACachedKeyReplacesTheCachedOne() {
        DecodedStates cache = holding(10);
        KeyState restarted = KeyStateFixture.of("m", "1", 1, 2_000, 0.5, ErrorStats.empty(1), 0.0);
        cache.of(TASK).putAll(Map.of("a", state));

        cache.of(TASK).putAll(Map.of("a", restarted));

        assertThat(cache.of(TASK).get("a")).isSameAs(restarted);
    }

    @Test
    void aBoundOfZeroKeepsNothing() {
        DecodedStates cache = new DecodedStates(0);
        cache.of(TASK).putAll(Map.of("a", state));

        assertThat(cache.of(TASK).get("a")).isNull();
    }

    @Test
    void aClearedTaskForgetsEveryStateOfItsOwnAndNoneOfAnotherTask() {
        DecodedStates cache = holding(10);
        cache.of(TASK).putAll(Map.of("a", state, "b", state));
        cache.of(OTHER_TASK).putAll(Map.of("a", state));

        cache.of(TASK).clear();

        assertThat(cache.of(TASK).get("a")).isNull();
        assertThat(cache.of(TASK).get("b")).isNull();
        assertThat(cache.of(OTHER_TASK).get("a")).isSameAs(state);
        assertThat(cache.size()).isEqualTo(1);
    }
}
