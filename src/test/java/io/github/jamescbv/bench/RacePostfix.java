package io.github.jamescbv.bench;

import io.github.jamescbv.testing.peers.PostfixPeer;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Postfix of the race: {@code reject_unverified_sender} and Postfix's defaults for
 * address verification (poll count 3, poll delay 3 s, the verify cache in a fresh data directory),
 * with two changes, each needed for the race to have a result:
 * <ul>
 *   <li>{@code unverified_sender_reject_code = 550}: the default, 450, makes a sender the remote
 *       refuses a temporary failure for ever, and the client would never get a final answer; our
 *       handler in defer mode answers 550 there.</li>
 *   <li>{@code transport_maps}: the sender domain goes to the remote by address
 *       ({@code smtp:[ADDRESS]:25}), because Postfix resolves MX through the machine's resolver.</li>
 * </ul>
 */
final class RacePostfix {
    /** The parameters of address verification the report shows as this instance sees them. */
    static final List<String> SHOWN = List.of("smtpd_sender_restrictions", "unverified_sender_reject_code",
        "address_verify_poll_count", "address_verify_poll_delay", "address_verify_map",
        "default_destination_concurrency_limit", "smtp_connection_cache_on_demand", "transport_maps");

    private RacePostfix() {
    }

    static PostfixPeer start(String listen, String senderDomain, String remote, String recipient) {
        PostfixPeer.Builder b = PostfixPeer.builder("race-postfix").listen(listen).mailboxes(recipient);
        return b.file("transport", senderDomain + " smtp:[" + remote + "]:25\n")
            .mainCf("transport_maps", "texthash:" + b.configDirectory().resolve("transport"))
            .mainCf("smtpd_sender_restrictions", "reject_unverified_sender")
            .mainCf("unverified_sender_reject_code", "550")
            .start();
    }

    static String settings(PostfixPeer postfix) {
        return SHOWN.stream().map(p -> p + " = " + postfix.postconf(p)).collect(Collectors.joining(", "));
    }
}
