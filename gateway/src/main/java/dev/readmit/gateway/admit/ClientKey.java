package dev.readmit.gateway.admit;

import dev.readmit.gateway.admit.AdmissionSettings.KeyRule;
import java.net.SocketAddress;

/**
 * The result of {@link ClientKeyResolver#resolve}: the client key, the rule that produced it and the
 * ticket the request carried. Mutable and reused: one instance per channel, filled for each request.
 *
 * <p>Not thread safe: it belongs to one channel and is only touched on that channel's event loop.
 */
public final class ClientKey {

    private CharSequence key;
    private KeyRule rule;
    private CharSequence ticket;
    private long ticketClientHash;

    /** The socket address whose text and bytes are cached below: a channel's peer never changes. */
    SocketAddress cachedRemote;

    String cachedRemoteText;
    byte[] cachedRemoteBytes;

    /** The client key of the last resolved request; never null after a resolve. */
    public CharSequence key() {
        return key;
    }

    /** The rule that produced {@link #key()}, for logs and metric labels. */
    public KeyRule rule() {
        return rule;
    }

    /** The ticket the request carried (header first, then cookie), or null. */
    public CharSequence ticket() {
        return ticket;
    }

    /** The client hash of a valid ticket, or 0 if the request carried none or an invalid one. */
    public long ticketClientHash() {
        return ticketClientHash;
    }

    /** True if the request carried a ticket that verified. */
    public boolean hasValidTicket() {
        return ticketClientHash != 0L;
    }

    void set(CharSequence key, KeyRule rule) {
        this.key = key;
        this.rule = rule;
    }

    void ticket(CharSequence ticket, long clientHash) {
        this.ticket = ticket;
        this.ticketClientHash = clientHash;
    }

    @Override
    public String toString() {
        return rule + "=" + key;
    }
}
