package io.github.jamescbv.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;

/**
 * A script Redis runs atomically, where reading a key and then writing it from here could race
 * with another node. Sent by its SHA-1 ({@code EVALSHA}), and in full only when Redis does not
 * know it yet (after a restart or {@code SCRIPT FLUSH}). Everything variable goes in as
 * {@code KEYS} and {@code ARGV}, never into the source.
 */
final class LuaScript {
    private final String source;
    private final String sha;
    private final ScriptOutputType output;

    LuaScript(String source, ScriptOutputType output) {
        this.source = source;
        this.sha = sha1(source);
        this.output = output;
    }

    <T> CompletableFuture<T> run(RedisLink link, String[] keys, byte[]... args) {
        CompletableFuture<T> bySha = link.call(c -> c.evalsha(sha, output, keys, args));
        return bySha.handle((v, e) -> e == null ? CompletableFuture.completedFuture(v)
                : isNoScript(e) ? link.<T>call(c -> c.eval(source, output, keys, args)) : CompletableFuture.<T>failedFuture(e))
            .thenCompose(f -> f);
    }

    private static boolean isNoScript(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof RedisNoScriptException) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private static String sha1(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-1", e);
        }
    }
}
