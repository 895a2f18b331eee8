package dev.readmit.gateway.admit;

/**
 * Issues and reads admission tickets. The gateway only carries tickets (cookie and header); what is
 * inside and how it is signed is the codec's business (admission-core's HMAC ticket in production).
 *
 * <p>Implementations must be thread safe: every event loop calls them.
 */
public interface TicketCodec {

    /**
     * Issues a ticket for an admitted client.
     *
     * @param clientKey the client's key, never null
     * @return the ticket as a cookie- and header-safe string (RFC 6265 cookie-octets, no spaces)
     */
    String issue(CharSequence clientKey);

    /**
     * Reads a ticket presented by a client.
     *
     * @param ticket the ticket as received, never null, possibly forged, expired or garbage
     * @return the non-zero client hash inside a valid ticket, or 0 if the ticket is not valid
     */
    long verify(CharSequence ticket);

    /** A codec that issues nothing useful and accepts nothing: for admission switched off. */
    static TicketCodec none() {
        return NoTickets.INSTANCE;
    }

    /** The codec behind {@link #none()}. */
    enum NoTickets implements TicketCodec {
        INSTANCE;

        @Override
        public String issue(CharSequence clientKey) {
            throw new UnsupportedOperationException("tickets are switched off");
        }

        @Override
        public long verify(CharSequence ticket) {
            return 0L;
        }
    }
}
