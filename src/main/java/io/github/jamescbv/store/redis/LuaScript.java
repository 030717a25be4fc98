package io.github.jamescbv.store.redis;

import io.lettuce.core.ScriptOutputType;
import java.util.concurrent.CompletableFuture;

/**
 * A script Redis runs atomically, where reading a key and then writing it from here could race
 * with another node. Everything variable goes in as {@code KEYS} and {@code ARGV}, never into
 * the source.
 *
 * <p>Always sent in full ({@code EVAL}; Redis keeps the compiled script by its digest), never by
 * digest with a fallback: a digest Redis does not know (after its restart) would fail, and the
 * full script sent after that failure would run after commands asked later on the same
 * connection, so a callback's start could land after its own release. The few hundred bytes
 * more per callback buy the order every caller relies on.
 */
final class LuaScript {
    private final String source;
    private final ScriptOutputType output;

    LuaScript(String source, ScriptOutputType output) {
        this.source = source;
        this.output = output;
    }

    <T> CompletableFuture<T> run(RedisLink link, String[] keys, byte[]... args) {
        return link.call(c -> c.eval(source, output, keys, args));
    }
}
