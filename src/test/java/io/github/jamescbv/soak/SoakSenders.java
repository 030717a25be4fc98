package io.github.jamescbv.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A pool of distinct senders, spread over the groups by their weights and, within a group, over
 * its domains in turn; shuffled (with a fixed seed) so that the slow and failing ones are mixed
 * with the normal ones throughout the run rather than bunched together.
 */
final class SoakSenders {
    /** One sender address and what kind of remote its domain has. */
    static final class Sender {
        final String address;
        final SenderGroup group;
        /** The address of its domain's MX; empty for a domain without one. */
        final Optional<String> mx;

        Sender(String address, SenderGroup group, Optional<String> mx) {
            this.address = address;
            this.group = group;
            this.mx = mx;
        }

        String domain() {
            return address.substring(address.indexOf('@') + 1);
        }

        @Override
        public String toString() {
            return address + " (" + group + ")";
        }
    }

    private final List<Sender> senders;

    private SoakSenders(List<Sender> senders) {
        this.senders = List.copyOf(senders);
    }

    /**
     * {@code count} senders whose local parts and domains start with {@code tag} (pools with
     * different tags share no sender and no domain, so one pool's verdicts and domain facts are
     * not in the cache for the other).
     */
    static SoakSenders generate(String tag, int count, long seed) {
        List<Sender> senders = new ArrayList<>(count);
        int totalWeight = 0;
        for (SenderGroup g : SenderGroup.values()) {
            totalWeight += g.weight;
        }
        SenderGroup[] groups = SenderGroup.values();
        for (int gi = 0; gi < groups.length; gi++) {
            SenderGroup group = groups[gi];
            // The first group takes what rounding leaves over, so the pool has exactly count senders.
            int n = gi == 0 ? 0 : Math.max(1, count * group.weight / totalWeight);
            if (gi == 0) {
                int others = 0;
                for (int gj = 1; gj < groups.length; gj++) {
                    others += Math.max(1, count * groups[gj].weight / totalWeight);
                }
                n = count - others;
            }
            List<String> domains = SoakRemotes.domainsOf(group, tag);
            for (int i = 0; i < n; i++) {
                String local = tag + localPrefix(group) + i;
                int domain = i % domains.size();
                senders.add(new Sender(local + "@" + domains.get(domain), group, SoakRemotes.mxOf(group, domain)));
            }
        }
        Collections.shuffle(senders, new Random(seed));
        return new SoakSenders(senders);
    }

    List<Sender> all() {
        return senders;
    }

    Map<SenderGroup, Integer> counts() {
        Map<SenderGroup, Integer> counts = new EnumMap<>(SenderGroup.class);
        for (Sender s : senders) {
            counts.merge(s.group, 1, Integer::sum);
        }
        return counts;
    }

    private static String localPrefix(SenderGroup group) {
        return group.name().substring(0, 1).toLowerCase(Locale.ROOT) + group.ordinal() + "-";
    }
}
