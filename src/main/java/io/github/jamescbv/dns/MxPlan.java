package io.github.jamescbv.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Turns a domain's MX records into the hosts to resolve, in the order to try them
 * (RFC 5321 section 5.1): lowest preference first, equal preferences in random order so that
 * load spreads as the domain intended; RFC 7505 null MX recognised.
 */
final class MxPlan {
    /**
     * At most this many MX hosts are resolved (the most preferred ones). Each costs two
     * lookups, so a zone with 50 MX records would otherwise cost 100 queries for one address,
     * and the verifier tries only a handful of hosts anyway.
     */
    static final int MAX_HOSTS = 10;

    private final List<MXRecord> hosts;
    private final boolean nullMx;
    private final boolean nullIgnored;
    private final int distinctHosts;

    private MxPlan(List<MXRecord> hosts, boolean nullMx, boolean nullIgnored, int distinctHosts) {
        this.hosts = hosts;
        this.nullMx = nullMx;
        this.nullIgnored = nullIgnored;
        this.distinctHosts = distinctHosts;
    }

    static MxPlan of(List<Record> records, Random random) {
        List<MXRecord> real = new ArrayList<>();
        boolean sawNull = false;
        for (Record r : records) {
            if (!(r instanceof MXRecord)) {
                continue;
            }
            MXRecord mx = (MXRecord) r;
            if (mx.getTarget().equals(Name.root)) {
                sawNull = true;
            } else {
                real.add(mx);
            }
        }
        if (real.isEmpty()) {
            // Only null MX records (normally exactly one, "MX 0 ."): the domain takes no mail.
            return new MxPlan(List.of(), sawNull, false, 0);
        }
        // A null MX next to real ones is a configuration error (RFC 7505 section 3); the
        // real ones show that mail is wanted, so they win.
        List<MXRecord> ordered = shuffledByPreference(real, random);
        Map<Name, MXRecord> unique = new LinkedHashMap<>();
        for (MXRecord mx : ordered) {
            unique.putIfAbsent(mx.getTarget(), mx); // a host listed twice keeps its best place
        }
        List<MXRecord> all = new ArrayList<>(unique.values());
        List<MXRecord> kept = List.copyOf(all.subList(0, Math.min(MAX_HOSTS, all.size())));
        return new MxPlan(kept, false, sawNull, all.size());
    }

    private static List<MXRecord> shuffledByPreference(List<MXRecord> mx, Random random) {
        List<MXRecord> shuffled = new ArrayList<>(mx);
        // Shuffle first, then a stable sort: equal preferences stay in random order.
        Collections.shuffle(shuffled, random);
        shuffled.sort(Comparator.comparingInt(MXRecord::getPriority));
        return shuffled;
    }

    /** The hosts to resolve, in order; at most {@link #MAX_HOSTS}. */
    List<MXRecord> hosts() {
        return hosts;
    }

    /** True when the only MX records are null MX: the domain accepts no mail. */
    boolean nullMx() {
        return nullMx;
    }

    /** Notes for the answers lines: a null MX ignored, hosts left out. */
    List<String> notes(String domain) {
        List<String> notes = new ArrayList<>();
        if (nullIgnored) {
            notes.add(AnswerText.line(domain + ". MX 0 . ignored: a null MX next to other MX records"));
        }
        if (distinctHosts > hosts.size()) {
            notes.add(AnswerText.line(domain + ". MX: " + distinctHosts + " hosts, resolving only the "
                + hosts.size() + " most preferred"));
        }
        return notes;
    }
}
