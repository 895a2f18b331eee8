package dev.readmit.gateway.proxy;

/**
 * Why the upstream did not give a complete answer; the kind decides the status the client gets (see
 * {@link ErrorResponses}). Carries no stack trace: it is an expected outcome, not a bug.
 */
public final class UpstreamFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong with the upstream. */
    public enum Kind {
        /** Connection refused, reset or closed before a response head; or a malformed response. 502. */
        UNREACHABLE,
        /** No connection within the connect timeout, or no response head within the response timeout. 504. */
        TIMEOUT,
        /** Every allowed upstream connection is busy and none came free in time. 503. */
        BUSY
    }

    private final Kind kind;

    public UpstreamFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
