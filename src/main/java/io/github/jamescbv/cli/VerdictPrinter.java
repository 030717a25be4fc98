package io.github.jamescbv.cli;

import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.core.VerdictJson;
import java.io.PrintStream;
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
        out.println(VerdictJson.render(v, address, dialog, withDialog));
    }
}
