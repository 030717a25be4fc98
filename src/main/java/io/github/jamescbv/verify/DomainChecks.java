package io.github.jamescbv.verify;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.FollowUpReply;
import io.github.jamescbv.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The catch-all and postmaster checks (Exim's callout options {@code random} and
 * {@code postmaster}): which extra recipients a verification asks once its address has passed,
 * and what their replies mean for the verdict.
 *
 * <ul>
 * <li><b>random</b>: a local part that cannot exist ({@link RandomLocalPart}). Accepted too:
 *     the domain accepts everything, so the pass says little ({@code acceptAll=true}); rejected
 *     with a 5xx: {@code acceptAll=false}. Not asked when the domain is already known to accept
 *     everything ({@link DomainFacts}).</li>
 * <li><b>postmaster</b>: {@code postmaster@domain}, which RFC 5321 4.5.1 requires every domain
 *     to accept. A 5xx: {@code postmasterRejected=true}. Not asked when the address verified is
 *     the postmaster itself: its own pass already answers.</li>
 * </ul>
 * A 4xx, no reply, a dropped connection: the answer is {@code unknown}, with the reason. The
 * address's own result never changes.
 */
final class DomainChecks {
    private static final String POSTMASTER = "postmaster";

    private final boolean random;
    private final boolean postmaster;
    private final RandomLocalPart randomLocalPart = new RandomLocalPart();

    DomainChecks(boolean random, boolean postmaster) {
        this.random = random;
        this.postmaster = postmaster;
    }

    /** The checks of one verification of {@code recipient} (the address in RCPT TO, after the map). */
    Plan plan(EmailAddress recipient, DomainFacts known) {
        Plan p = new Plan();
        if (random) {
            if (known.acceptsAll()) {
                p.acceptAll = Fact.remembered(true, "the domain accepted a random address in an earlier callback");
            } else {
                p.randomAddress = at(randomLocalPart.next(), recipient.domain());
            }
        }
        if (postmaster) {
            if (isPostmaster(recipient)) {
                p.postmasterRejected = Fact.of(false, "the address verified is the postmaster");
            } else {
                p.postmasterAddress = at(POSTMASTER, recipient.domain());
            }
        }
        return p;
    }

    /**
     * The follow-up recipients a verification of {@code recipient} may ask at most, before anything
     * is known of its domain: the limits charge them before the callback starts. A domain known to
     * accept everything is spared the random check later, but that is known only once the callback
     * is admitted, so it is charged all the same.
     */
    int mostAsked(EmailAddress recipient) {
        return (random ? 1 : 0) + (postmaster && !isPostmaster(recipient) ? 1 : 0);
    }

    /** RFC 5321 4.5.1: "postmaster" is case-insensitive. */
    private static boolean isPostmaster(EmailAddress recipient) {
        return recipient.localPart().toLowerCase(Locale.ROOT).equals(POSTMASTER);
    }

    private static EmailAddress at(String localPart, String domain) {
        try {
            return EmailAddress.of(localPart, domain);
        } catch (InvalidAddressException e) { // the domain was checked already, the local parts are ours
            throw new IllegalStateException("cannot build " + localPart + "@" + domain + ": " + e.getMessage(), e);
        }
    }

    /** The checks of one verification: the recipients to ask, and the facts known without asking. */
    static final class Plan {
        private EmailAddress randomAddress;
        private EmailAddress postmasterAddress;
        private Fact acceptAll;
        private Fact postmasterRejected;

        private Plan() {
        }

        /** Whether a pass gets any fact: asked now or already known. */
        boolean any() {
            return randomAddress != null || postmasterAddress != null || acceptAll != null || postmasterRejected != null;
        }

        /** The follow-up recipients, in the order asked: the random one, then the postmaster. */
        List<EmailAddress> followUps() {
            List<EmailAddress> out = new ArrayList<>(2);
            if (randomAddress != null) {
                out.add(randomAddress);
            }
            if (postmasterAddress != null) {
                out.add(postmasterAddress);
            }
            return out;
        }

        /**
         * The pass with the facts added.
         *
         * @param replies the follow-ups' replies (possibly incomplete)
         * @param missing why a follow-up without a reply in {@code replies} has none
         */
        Verdict.Builder apply(Verdict pass, List<FollowUpReply> replies, String missing) {
            Fact all = acceptAll;
            if (randomAddress != null) {
                all = interpret(randomAddress, replies, missing, true);
            }
            Fact rejected = postmasterRejected;
            if (postmasterAddress != null) {
                rejected = interpret(postmasterAddress, replies, missing, false);
            }
            return pass.toBuilder().acceptAll(all).postmasterRejected(rejected);
        }

        /** @param onAccept the fact's value when the recipient is accepted (and the opposite for a 5xx) */
        private static Fact interpret(EmailAddress asked, List<FollowUpReply> replies, String missing, boolean onAccept) {
            for (FollowUpReply r : replies) {
                if (!r.recipient().equals(asked)) {
                    continue;
                }
                if (r.reply().isEmpty()) {
                    return Fact.unknown(asked + ": " + r.failure());
                }
                SmtpReply reply = r.reply().get();
                String text = asked + " answered " + reply;
                if (reply.isPositive()) {
                    return Fact.of(onAccept, text);
                }
                return reply.isPermanent() ? Fact.of(!onAccept, text) : Fact.unknown(text);
            }
            return Fact.unknown(asked + ": " + missing);
        }
    }
}
