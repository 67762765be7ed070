package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(2, Duration.ofMinutes(1), now::get);

    @Test
    void theFirstEventsOfAWindowAreToldOfAndTheRestHeldBack() {
        assertThat(new long[] {throttle.admit("late"), throttle.admit("late"), throttle.admit("late"),
                throttle.admit("late")}).containsExactly(0, 0, -1, -1);
    }

    @Test
    void theFirstEventOfTheNextWindowSaysHowManyWereHeldBack() {
        for (int i = 0; i < 5; i++) {
            throttle.admit("late");
        }

        now.addAndGet(Duration.ofMinutes(1).toNanos());

        assertThat(throttle.admit("late")).isEqualTo(3);
        assertThat(throttle.admit("late")).isZero();
    }

    @Test
    void eachKindHasAWindowOfItsOwn() {
        throttle.admit("late");
        throttle.admit("late");

        assertThat(throttle.admit("undecodable")).isZero();
        assertThat(throttle.admit("late")).isEqualTo(-1);
    }

    @Test
    void aLineSaysNothingMoreWhenNoneWasHeldBack() {
        assertThat(throttle.heldBack(0, "late")).isEmpty();
        assertThat(throttle.heldBack(3, "late")).startsWith(" (and 3 more late since the last such line")
                .contains("at most 2 per 60 s");
    }

    @Test
    void kindsBeyondTheLimitForgetThoseQuietForAWindow() {
        for (int i = 0; i < LogThrottle.MAX_KINDS; i++) {
            throttle.admit("peer-" + i);
        }
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        throttle.admit("peer-0");

        throttle.admit("a new peer");

        assertThat(throttle.kinds()).isEqualTo(2);
    }
}
