package io.github.jamescbv.dns;

import io.github.jamescbv.core.SafeText;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Writes what DNS said as short lines for people ({@code -v}, DEBUG logs):
 * {@code example.com. MX 10 mx1.example.com.}, {@code mx1.example.com. A 192.0.2.1},
 * {@code example.com. MX: NXDOMAIN}. Everything goes through {@link SafeText}: record data
 * comes from the network.
 */
final class AnswerText {
    static final int MAX_LINE = 300;

    private AnswerText() {
    }

    static List<String> lines(LookupOutcome o) {
        List<String> out = new ArrayList<>();
        List<Name> aliases = o.aliases();
        Name end = o.records().isEmpty() ? null : o.records().get(0).getName();
        for (int i = 0; i < aliases.size(); i++) {
            Name target = i + 1 < aliases.size() ? aliases.get(i + 1) : end;
            out.add(line(aliases.get(i) + " CNAME " + (target == null ? "?" : target.toString())));
        }
        String head = o.name() + " " + Type.string(o.type());
        switch (o.kind()) {
            case RECORDS:
                for (Record r : o.records()) {
                    out.add(line(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString()));
                }
                break;
            case NODATA:
                out.add(line(head + ": no records (NODATA)"));
                break;
            case NXDOMAIN:
                out.add(line(head + ": NXDOMAIN"));
                break;
            default:
                out.add(line(head + ": " + o.failure()));
                break;
        }
        return out;
    }

    static String line(String raw) {
        return SafeText.clean(raw, MAX_LINE);
    }
}
