package dev.readmit.gateway.admit;

import dev.readmit.admission.Decision;
import dev.readmit.gateway.admit.AdmissionSettings.KeyRule;

/**
 * Receives what the admission stage does, for metrics and logs: the mechanism publishes events and
 * the listener decides what to count or log.
 *
 * <p>Called on event loops, on the request path: implementations must be thread safe, must not
 * block and should not allocate (for example, Micrometer counters looked up once per class and
 * outcome).
 */
public interface AdmissionListener {

    /** Listens to nothing. */
    AdmissionListener NONE = (classIndex, keyRule, decision) -> {};

    /**
     * A request was decided on arrival.
     *
     * @param classIndex its class
     * @param keyRule the rule that produced its client key
     * @param decision the decision; a {@link Decision.Wait} in hold mode is followed by {@link #held}
     *     or, when the room is full, by a rejection that this method does not report again
     */
    void decided(int classIndex, KeyRule keyRule, Decision decision);

    /** A request of class {@code classIndex} entered the waiting room. */
    default void held(int classIndex) {}

    /**
     * A held request left the waiting room.
     *
     * @param waitedNanos how long it was held, by the gateway's clock
     */
    default void leftWaitingRoom(int classIndex, Exit exit, long waitedNanos) {}

    /** How a held request left the waiting room. */
    enum Exit {
        /** Admitted and passed on. */
        ADMITTED,
        /** Answered with a waiting or rejecting response (maximum wait reached, or rejected). */
        ANSWERED,
        /** Its client closed the connection. */
        CLIENT_CLOSED;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** Lower-case name for metric labels. */
        public String label() {
            return label;
        }
    }
}
