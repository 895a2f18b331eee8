package dev.readmit.profiles.replay;

import java.util.Locale;

/** How one attempt of a request ended. The label is what reports and {@code .hlog} tags show. */
public enum Outcome {
    /** 1xx-3xx answer. */
    OK,
    /** 4xx answer other than 429. */
    CLIENT_ERROR,
    /** A waiting-room answer: 429, or 503 with {@code Retry-After}. */
    WAITING,
    /** 5xx answer that is not a waiting-room answer. */
    ERROR,
    /** No complete answer within the request timeout. */
    TIMEOUT,
    /** The connection could not be opened. */
    CONNECT_FAILED,
    /** The connection closed before the answer was complete. */
    CLOSED,
    /**
     * A raw TCP connection closed by the server before its greeting line: the gateway held it waiting and
     * gave up ({@code maxWait}). A rejection like {@link #WAITING}, retried as the profile's {@code
     * on_reject} says (there is no {@code Retry-After} to honour, so with its {@code else} policy).
     */
    NOT_ADMITTED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Lower-case label, e.g. {@code connect_failed}. */
    public String label() {
        return label;
    }

    /** Whether the attempt's latency belongs to the latency percentiles (answers and timeouts). */
    boolean countsForLatency() {
        return this == OK || this == CLIENT_ERROR || this == ERROR || this == TIMEOUT;
    }

    /** Whether it is a rejection the client retries by its {@code on_reject} rules (the waiting series). */
    boolean isWaiting() {
        return this == WAITING || this == NOT_ADMITTED;
    }

    /** Whether it is an error in the report's errors series. */
    boolean isError() {
        return this == ERROR || this == TIMEOUT || this == CONNECT_FAILED || this == CLOSED;
    }

    static Outcome ofStatus(int status, boolean hasRetryAfter) {
        if (status == 429 || (status == 503 && hasRetryAfter)) {
            return WAITING;
        }
        if (status >= 500) {
            return ERROR;
        }
        return status >= 400 ? CLIENT_ERROR : OK;
    }
}
