package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the soak tells a forecast written again from a new one. */
class SoakRepeatsTest {

    @Test
    void aReplayedStretchOfAKeysForecastsCountsEachRepeatOnce() {
        Soak.Repeats repeats = new Soak.Repeats();
        for (long time = 1; time <= 5; time++) {
            repeats.add("a", time);
        }
        for (long time = 3; time <= 8; time++) {
            repeats.add("a", time);
        }

        assertThat(repeats.count()).isEqualTo(3);
    }

    @Test
    void keysAreCountedApart() {
        Soak.Repeats repeats = new Soak.Repeats();
        repeats.add("a", 10);
        repeats.add("b", 5);
        repeats.add("a", 11);
        repeats.add("b", 6);
        repeats.add(null, 1);
        repeats.add(null, 2);

        assertThat(repeats.count()).isZero();
    }
}
