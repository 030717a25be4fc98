package io.github.jamescbv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many calls racing each other: submitted to a pool of threads, held at a latch until all are
 * submitted, then released together, so that as many as there are threads run at the same moment.
 */
public final class AllAtOnce {
    private AllAtOnce() {
    }

    /** One call; {@code index} tells it apart from the others (a client address, say). */
    @FunctionalInterface
    public interface Call<T> {
        T call(int index) throws Exception;
    }

    /** What each of {@code n} calls on {@code threads} threads returned, in the order of their index. */
    public static <T> List<T> run(int n, int threads, Call<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> submitted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                submitted.add(pool.submit(() -> {
                    start.await();
                    return call.call(index);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : submitted) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
