package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How a store contract checks what the store's stages do. A store that answers in the caller's
 * thread (the in-memory ones) has already done it when the call returns: {@link #AT_ONCE} checks
 * right then, as strongly as can be. A store that answers over the network (Redis) does it a
 * little later: {@link #LATER} waits, bounded, for what must happen, and watches a while that
 * what must not happen does not.
 */
public enum AnswerTiming {
    AT_ONCE {
        @Override
        public void eventually(Runnable check) {
            check.run();
        }

        @Override
        public void stillWaiting(String description, CompletableFuture<?> f) {
            assertThat(f).as(description).isNotDone();
        }
    },
    LATER {
        @Override
        public void eventually(Runnable check) {
            // polled from the start: most answers come within milliseconds
            await().pollDelay(Duration.ZERO).pollInterval(POLL).atMost(WAIT).untilAsserted(check::run);
        }

        @Override
        public void stillWaiting(String description, CompletableFuture<?> f) {
            await(description).during(WATCH).atMost(WATCH.multipliedBy(5)).until(() -> !f.isDone());
        }
    };

    /** The longest a store's stage may take to answer. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** How often a check that is not yet true is tried again. */
    static final Duration POLL = Duration.ofMillis(5);
    /** How long a stage that must go on waiting is watched. */
    static final Duration WATCH = Duration.ofMillis(200);

    /** Asserts what must hold once the store has answered. */
    public abstract void eventually(Runnable check);

    /** Asserts {@code f} is still waiting, as the contract says it must be. */
    public abstract void stillWaiting(String description, CompletableFuture<?> f);

    public void stillWaiting(CompletableFuture<?> f) {
        stillWaiting("still waiting", f);
    }

    /** The value {@code f} completes with. */
    public <T> T value(CompletableFuture<T> f) {
        eventually(() -> assertThat(f).isDone());
        return f.join();
    }

    /** Asserts {@code f} fails. */
    public void failure(CompletableFuture<?> f) {
        eventually(() -> assertThat(f).isCompletedExceptionally());
    }
}
