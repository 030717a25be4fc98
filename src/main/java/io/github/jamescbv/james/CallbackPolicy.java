package io.github.jamescbv.james;

import io.github.jamescbv.policy.Exemptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Decides whether a transaction deserves a callback at all. Cheap checks only: this runs on
 * James's event loop inside a hook.
 */
final class CallbackPolicy {
    private final DomainList domains;
    private final boolean verifyAuthenticated;
    private final Exemptions exemptions;

    CallbackPolicy(DomainList domains, boolean verifyAuthenticated, Exemptions exemptions) {
        this.domains = domains;
        this.verifyAuthenticated = verifyAuthenticated;
        this.exemptions = exemptions;
    }

    /** The connecting client's IP address, when James knows it. */
    static Optional<InetAddress> clientAddress(SMTPSession session) {
        InetSocketAddress remote = session.getRemoteAddress();
        return remote == null ? Optional.empty() : Optional.ofNullable(remote.getAddress());
    }

    /** Why this sender in this session gets no callback, or empty when it gets one. */
    Optional<String> reasonToSkip(SMTPSession session, MaybeSender sender) {
        if (sender == null || sender.isNullSender()) {
            // Bounces: nothing to call back, and probing <> is meaningless.
            return Optional.of("null sender");
        }
        if (session.getUsername() != null) {
            // James sets relayingAllowed after AUTH too, so this test must come first for
            // verifyAuthenticated to have any effect.
            return verifyAuthenticated ? Optional.empty() : Optional.of("authenticated session");
        }
        if (session.isRelayingAllowed()) {
            // authorizedAddresses: James trusts this client, and so do we.
            return Optional.of("relaying allowed for this client");
        }
        return exemptions.reason(sender.get().getDomain().asString(), clientAddress(session));
    }

    /**
     * Whether the recipient's domain is one of James's own. Our RcptHook runs before James's
     * relay check, so without this a client could make us probe for any RCPT it likes.
     */
    boolean isLocal(MailAddress recipient) throws DomainListException {
        return domains.containsDomain(recipient.getDomain());
    }
}
