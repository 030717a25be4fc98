package io.github.jamescbv.webadmin;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import spark.HaltException;

/**
 * Waits, on the WebAdmin request's thread, for what the verdict memory answers: at once in this
 * process's memory, a round trip with Redis. Bounded: a store that does not answer is a 503.
 */
final class StoreAnswer {
    /** Longer than a Redis command's timeout (at most a few seconds), short for a person waiting. */
    static final Duration WAIT = Duration.ofSeconds(15);

    private StoreAnswer() {
    }

    static <T> T await(CompletionStage<T> stage, String what) throws HaltException {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RouteErrors.unavailable(what);
        } catch (ExecutionException | TimeoutException e) {
            throw RouteErrors.unavailable(what);
        }
    }
}
