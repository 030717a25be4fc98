package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Json;
import io.github.jamescbv.core.VerdictJson;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.Remembered;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the memory holds for an address, as the answer of {@code GET /cbv/verdicts/{address}}:
 * the verdict that answers, in the shape of {@code cbv verify --json}, with where it is held
 * ({@code scope} address or domain, {@code key}), since when (when it was remembered by this
 * version: {@code madeAt}, {@code ageSeconds}) and until when; then {@code held}, everything
 * held that bears on the address (its own verdict, its domain's, the domain's accept-all fact),
 * each with its scope, key, age, expiry and verdict.
 */
final class HeldVerdictJson {
    private HeldVerdictJson() {
    }

    /** @param answering the first of {@code held} that is a verdict (not a fact) */
    static String render(EmailAddress asked, CallbackTarget target, Remembered answering, List<Remembered> held, Instant now) {
        Map<String, Object> fields = VerdictJson.fields(answering.verdict(), asked.toString(), List.of(), false);
        fields.put("calledBack", target.recipient().toString());
        where(fields, answering, now);
        List<Object> all = new ArrayList<>();
        for (Remembered r : held) {
            Map<String, Object> entry = new LinkedHashMap<>();
            where(entry, r, now);
            entry.put("verdict", VerdictJson.fields(r.verdict(), target.recipient().toString(), List.of(), false));
            all.add(entry);
        }
        fields.put("held", all);
        return Json.object(fields);
    }

    private static void where(Map<String, Object> fields, Remembered r, Instant now) {
        fields.put("scope", scope(r.scope()));
        fields.put("key", r.key());
        r.madeAt().ifPresent(made -> {
            fields.put("madeAt", made.toString());
            fields.put("ageSeconds", Math.max(0, now.getEpochSecond() - made.getEpochSecond()));
        });
        fields.put("expiresAt", r.expiresAt().toString());
        fields.put("expiresInSeconds", Math.max(0, r.expiresAt().getEpochSecond() - now.getEpochSecond()));
    }

    /** "address", "domain" or "acceptAll". */
    static String scope(CacheScope scope) {
        switch (scope) {
            case ADDRESS:
                return "address";
            case DOMAIN:
                return "domain";
            case ACCEPT_ALL:
                return "acceptAll";
            default:
                return "none";
        }
    }
}
