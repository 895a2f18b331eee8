package dev.readmit.gateway.admit;

import dev.readmit.admission.Decision;

/**
 * The admission decision as the gateway sees it: admission-core's controller behind a narrow,
 * allocation-free interface, so the handler can be tested with a scripted decider.
 *
 * <p>Implementations must be thread safe and non-blocking: every event loop calls them, and the
 * waiting room calls them again for held requests from its own thread.
 */
@FunctionalInterface
public interface AdmissionDecider {

    /**
     * Decides one request of a client that presented no valid ticket.
     *
     * @param clientKey the client's key (see {@link ClientKeyResolver}); valid only during the call
     *     unless it is an immutable {@link String} or {@link io.netty.util.AsciiString}: an
     *     implementation that keeps it must call {@code toString()}
     * @param classIndex the class from {@link ClassRules#classify}
     * @param nowNanos the time from the gateway's {@link dev.readmit.admission.NanoClock}
     * @return the decision, never null; {@link Decision.Admit} values are preallocated
     */
    Decision decide(CharSequence clientKey, int classIndex, long nowNanos);

    /**
     * Decides one request of a client whose ticket verified, for example after a gateway restart.
     * The default admits it (a valid ticket is proof of admission); an implementation may record
     * the client as admitted, or check that {@code ticketClientHash} belongs to {@code clientKey}.
     *
     * @param ticketClientHash the non-zero client hash from {@link TicketCodec#verify}
     */
    default Decision decideTicketHolder(CharSequence clientKey, long ticketClientHash, int classIndex, long nowNanos) {
        return Decision.Admit.ALREADY_ADMITTED;
    }

    /** Admits every request ({@link Decision.Admit#ALWAYS_OPEN}): admission switched off. */
    static AdmissionDecider admitAll() {
        return AdmitAll.INSTANCE;
    }

    /** The decider behind {@link #admitAll()}. */
    enum AdmitAll implements AdmissionDecider {
        INSTANCE;

        @Override
        public Decision decide(CharSequence clientKey, int classIndex, long nowNanos) {
            return Decision.Admit.ALWAYS_OPEN;
        }

        @Override
        public Decision decideTicketHolder(
                CharSequence clientKey, long ticketClientHash, int classIndex, long nowNanos) {
            return Decision.Admit.ALWAYS_OPEN;
        }
    }
}
