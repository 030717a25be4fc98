package io.github.jamescbv.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verdict as one JSON object, the shape of {@code cbv verify --json}: the address asked about,
 * the detail map, the numbers as numbers, the domain checks as booleans, and the dialog when
 * asked for. One shape for every program that reads verdicts (the command line, WebAdmin).
 */
public final class VerdictJson {
    private VerdictJson() {
    }

    /** The object's fields, in their printed order (for a caller that nests them in an object of its own). */
    public static Map<String, Object> fields(Verdict v, String address, List<String> dialog, boolean withDialog) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("address", address);
        fields.putAll(v.detail());
        fields.put("code", v.code());
        fields.put("elapsedMs", v.elapsed().toMillis());
        fields.put("waitMs", v.waited().toMillis());
        fields.put("cached", v.cached());
        if (v.refreshing()) {
            fields.put("refreshing", true);
        }
        v.acceptAll().ifPresent(f -> fields.put("acceptAll", jsonValue(f)));
        v.postmasterRejected().ifPresent(f -> fields.put("postmasterRejected", jsonValue(f)));
        if (withDialog) {
            fields.put("dialog", dialog);
        }
        return fields;
    }

    /** The object as one line of JSON. */
    public static String render(Verdict v, String address, List<String> dialog, boolean withDialog) {
        return Json.object(fields(v, address, dialog, withDialog));
    }

    /** A checked fact as JSON: true or false, and null when the check could not tell (its ...Text says why). */
    private static Object jsonValue(Fact f) {
        return f.value() == Fact.Value.UNKNOWN ? null : f.isTrue();
    }
}
