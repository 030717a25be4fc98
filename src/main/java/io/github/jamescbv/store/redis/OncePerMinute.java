package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Ticker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Lets a refusal line through at most once a minute per subject, with the count of those held
 * back since: a client over its rate must not flood the log. Bounded: the subject seen longest
 * ago is forgotten first (it may then log one line early).
 */
final class OncePerMinute {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_SUBJECTS = 10_000;

    private final Ticker ticker;
    private final Consumer<String> sink;
    private final LinkedHashMap<String, long[]> seen = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_SUBJECTS;
        }
    };

    OncePerMinute(Ticker ticker, Consumer<String> sink) {
        this.ticker = ticker;
        this.sink = sink;
    }

    void log(String subject, String line) {
        String out = null;
        synchronized (this) {
            long now = ticker.nanoTime();
            long[] s = seen.get(subject); // {last logged at, held back since}
            if (s == null || now - s[0] >= MINUTE) {
                out = line + (s != null && s[1] > 0 ? " (" + s[1] + " more refused since the last such line)" : "");
                seen.put(subject, new long[] {now, 0});
            } else {
                s[1]++;
            }
        }
        if (out != null) {
            sink.accept(out); // outside the lock: the sink is someone else's code
        }
    }
}
