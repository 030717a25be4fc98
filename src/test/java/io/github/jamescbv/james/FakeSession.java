package io.github.jamescbv.james;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.james.core.Username;
import org.apache.james.protocols.smtp.utils.BaseFakeSMTPSession;

/** An SMTP session with working attachments, for hook tests without a server. */
final class FakeSession extends BaseFakeSMTPSession {
    private final Map<AttachmentKey<?>, Object> connection = new HashMap<>();
    private final Map<AttachmentKey<?>, Object> transaction = new HashMap<>();
    private Username username;
    private boolean relayingAllowed;
    private InetSocketAddress remote;

    FakeSession authenticatedAs(String user) {
        this.username = Username.of(user);
        this.relayingAllowed = true; // as James's AUTH does
        return this;
    }

    /** A fixed client address, as James's session holds it (the base class resolves "localhost" on every call). */
    FakeSession from(InetSocketAddress client) {
        this.remote = client;
        return this;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote != null ? remote : super.getRemoteAddress();
    }

    FakeSession relayingAllowed() {
        this.relayingAllowed = true;
        return this;
    }

    /** What RSET, HELO and the end of DATA do in James. */
    @Override
    public void resetState() {
        transaction.clear();
    }

    @Override
    public String getSessionID() {
        return "fake";
    }

    @Override
    public Username getUsername() {
        return username;
    }

    @Override
    public boolean isRelayingAllowed() {
        return relayingAllowed;
    }

    @Override
    public <T> Optional<T> setAttachment(AttachmentKey<T> key, T value, State state) {
        return key.convert(map(state).put(key, value));
    }

    @Override
    public <T> Optional<T> removeAttachment(AttachmentKey<T> key, State state) {
        return key.convert(map(state).remove(key));
    }

    @Override
    public <T> Optional<T> getAttachment(AttachmentKey<T> key, State state) {
        return key.convert(map(state).get(key));
    }

    private Map<AttachmentKey<?>, Object> map(State state) {
        return state == State.Connection ? connection : transaction;
    }
}
