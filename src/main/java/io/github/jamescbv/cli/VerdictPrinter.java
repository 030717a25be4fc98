package io.github.jamescbv.cli;

import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Verdict;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints a verdict for people (result word first, then one "key: value" per detail) or as JSON. */
final class VerdictPrinter {
    private VerdictPrinter() {
    }

    static void text(Verdict v, List<String> dialog, PrintStream out) {
        out.println(v.result().word());
        for (Map.Entry<String, String> e : v.detail().entrySet()) {
            if (!"result".equals(e.getKey()) && !e.getValue().isEmpty()) {
                out.println(e.getKey() + ": " + e.getValue());
            }
        }
        if (!dialog.isEmpty()) {
            out.println("dialog:");
            for (String line : dialog) {
                out.println("  " + line);
            }
        }
    }

    static void json(Verdict v, String address, List<String> dialog, boolean withDialog, PrintStream out) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("address", address);
        fields.putAll(v.detail());
        fields.put("code", v.code());
        fields.put("elapsedMs", v.elapsed().toMillis());
        fields.put("cached", v.cached());
        v.acceptAll().ifPresent(f -> fields.put("acceptAll", jsonValue(f)));
        v.postmasterRejected().ifPresent(f -> fields.put("postmasterRejected", jsonValue(f)));
        if (withDialog) {
            fields.put("dialog", dialog);
        }
        out.println(Json.object(fields));
    }

    /** A checked fact as JSON: true or false, and null when the check could not tell (its ...Text says why). */
    private static Object jsonValue(Fact f) {
        return f.value() == Fact.Value.UNKNOWN ? null : f.isTrue();
    }
}
