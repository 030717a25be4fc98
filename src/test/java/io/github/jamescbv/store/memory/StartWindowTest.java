package io.github.jamescbv.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartWindowTest {
    private static final long W = 60_000;

    @Test
    void aStartCountsForExactlyOneWindow() {
        StartWindow w = new StartWindow(1, W);
        w.reserve();
        w.stamp(1_000);
        w.expire(1_000 + W - 1);
        assertThat(w.hasRoom()).isFalse();
        w.expire(1_000 + W);
        assertThat(w.hasRoom()).isTrue();
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void reservationsCountUntilCancelled() {
        StartWindow w = new StartWindow(2, W);
        w.reserve();
        w.reserve();
        assertThat(w.hasRoom()).isFalse();
        assertThat(w.hasStarts()).isFalse();
        w.cancelReservation();
        assertThat(w.hasRoom()).isTrue();
        w.expire(Long.MAX_VALUE);
        assertThat(w.isEmpty()).isFalse();
    }

    @Test
    void growsToItsLimitKeepingOrderAcrossTheRing() {
        StartWindow w = new StartWindow(100, W);
        long t = Long.MAX_VALUE - 50; // the stamps wrap around
        for (int i = 0; i < 100; i++) {
            w.reserve();
            w.stamp(t + i);
            if (i == 2) {
                w.expire(t + W); // frees the first: head moves before the array grows
                assertThat(w.oldestLeavesAt()).isEqualTo(t + 1 + W);
            }
        }
        assertThat(w.hasRoom()).isTrue(); // 99 held
        w.reserve();
        assertThat(w.hasRoom()).isFalse();
        w.cancelReservation();
        for (int i = 1; i < 100; i++) {
            assertThat(w.oldestLeavesAt()).isEqualTo(t + i + W);
            w.expire(t + i + W);
        }
        assertThat(w.isEmpty()).isTrue();
    }
}
