package dev.readmit.admission;

/**
 * The answer of the admission decision for one request or connection.
 *
 * <ul>
 *   <li>{@link Admit}: pass the request on. Preallocated; the admitted path allocates nothing.
 *   <li>{@link Wait}: not yet; {@code place} in line and an estimate of the wait, plus the jittered
 *       {@code retryAfterSeconds} to send back.
 *   <li>{@link Reject}: turned away for a {@link RejectReason}, with a jittered retry-after.
 * </ul>
 */
public sealed interface Decision permits Decision.Admit, Decision.Wait, Decision.Reject {

    /** The outcome as a small enum, for metrics labels and switches. */
    Outcome outcome();

    /** Outcome names, stable: used as metric label values. */
    enum Outcome {
        ADMIT,
        WAIT,
        REJECT;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** Lower-case name for metric labels, e.g. {@code admit}. */
        public String label() {
            return label;
        }
    }

    /** Why a request was rejected rather than asked to wait. */
    enum RejectReason {
        /** The waiting line is full. */
        QUEUE_FULL,
        /** The upstream circuit breaker is open or the health gate is red: nobody new is admitted. */
        UPSTREAM_UNHEALTHY,
        /** The class is closed (open fraction 0 and not ramping). */
        CLASS_CLOSED;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** Lower-case name for metric labels and response bodies, e.g. {@code queue_full}. */
        public String label() {
            return label;
        }
    }

    /** How a client came to be admitted; preallocated instances, one per cause. */
    enum Admit implements Decision {
        /** Already in the admitted set (or carrying a verified ticket): no token taken. */
        ALREADY_ADMITTED,
        /** Eligible and took a token from the new-client bucket just now. */
        NEWLY_ADMITTED,
        /** The class is always open (for example restores); not counted against the bucket. */
        ALWAYS_OPEN;

        @Override
        public Outcome outcome() {
            return Outcome.ADMIT;
        }
    }

    /**
     * Not admitted yet.
     *
     * @param place 1-based estimated place in line (1 means next)
     * @param estimatedWaitNanos estimate of the time until this client is admitted
     * @param retryAfterSeconds jittered seconds to put in {@code Retry-After}, at least 1
     * @param eligible true if the client's cohort is open and it waits only for a token; false if it
     *     waits for the ramp to reach its cohort
     */
    record Wait(long place, long estimatedWaitNanos, int retryAfterSeconds, boolean eligible) implements Decision {
        @Override
        public Outcome outcome() {
            return Outcome.WAIT;
        }
    }

    /**
     * Turned away.
     *
     * @param reason why
     * @param retryAfterSeconds jittered seconds to put in {@code Retry-After}, at least 1
     */
    record Reject(RejectReason reason, int retryAfterSeconds) implements Decision {
        @Override
        public Outcome outcome() {
            return Outcome.REJECT;
        }
    }
}
