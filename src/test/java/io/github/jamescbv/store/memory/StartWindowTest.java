package io.github.jamescbv.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartWindowTest {
    private static final long W = 60_000;

    @Test
    void aStartCountsForExactlyOneWindow() {
        StartWindow w = new StartWindow(1, W);
        w.reserve(1);
        w.stamp(1_000, 1);
        w.expire(1_000 + W - 1);
        assertThat(w.hasRoom(1)).isFalse();
        w.expire(1_000 + W);
        assertThat(w.hasRoom(1)).isTrue();
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void reservationsCountUntilCancelled() {
        StartWindow w = new StartWindow(2, W);
        w.reserve(1);
        w.reserve(1);
        assertThat(w.hasRoom(1)).isFalse();
        assertThat(w.roomComesWithTime(1)).as("only reservations: time alone frees nothing").isFalse();
        w.cancelReservation(1);
        assertThat(w.hasRoom(1)).isTrue();
        w.expire(Long.MAX_VALUE);
        assertThat(w.isEmpty()).isFalse();
    }

    @Test
    void aCallbackOfThreeProbesTakesThreeTokens() {
        StartWindow w = new StartWindow(5, W);
        w.reserve(3);
        assertThat(w.hasRoom(2)).isTrue();
        assertThat(w.hasRoom(3)).isFalse();
        w.stamp(1_000, 3);
        assertThat(w.roomComesWithTime(3)).isTrue();
        assertThat(w.roomAt(3)).isEqualTo(1_000 + W);
        w.reserve(2);
        assertThat(w.hasRoom(1)).isFalse();
        w.stamp(2_000, 2);
        assertThat(w.roomAt(1)).as("the first of the three leaves first").isEqualTo(1_000 + W);
        assertThat(w.roomAt(4)).as("four free only when the fourth oldest leaves").isEqualTo(2_000 + W);
        w.expire(1_000 + W);
        assertThat(w.hasRoom(3)).isTrue();
        assertThat(w.hasRoom(4)).isFalse();
        w.expire(2_000 + W);
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void growsToItsLimitKeepingOrderAcrossTheRing() {
        StartWindow w = new StartWindow(100, W);
        long t = Long.MAX_VALUE - 50; // the stamps wrap around
        for (int i = 0; i < 100; i++) {
            w.reserve(1);
            w.stamp(t + i, 1);
            if (i == 2) {
                w.expire(t + W); // frees the first: head moves before the array grows
                assertThat(w.roomAt(99)).as("the oldest left, two held").isEqualTo(t + 1 + W);
            }
        }
        assertThat(w.hasRoom(1)).isTrue(); // 99 held
        assertThat(w.hasRoom(2)).isFalse();
        for (int i = 1; i < 100; i++) {
            // 100 - i held: room for i + 1 comes when the oldest leaves
            assertThat(w.roomAt(i + 1)).isEqualTo(t + i + W);
            w.expire(t + i + W);
        }
        assertThat(w.isEmpty()).isTrue();
    }
}
