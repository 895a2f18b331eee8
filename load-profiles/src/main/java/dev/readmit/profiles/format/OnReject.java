package dev.readmit.profiles.format;

import java.util.Objects;

/**
 * How simulated clients behave on a waiting answer ({@code 429}, or {@code 503} with {@code
 * Retry-After}). A share of the clients, chosen by a stable hash of their key so the same clients behave
 * well in every run, wait exactly {@code Retry-After} and keep the ticket (cookie and {@code
 * Readmit-Ticket} header) they were given; the others follow {@code otherwise} and drop tickets.
 * Immutable.
 *
 * @param honourRetryAfter share of well-behaved clients, in {@code [0, 1]}
 * @param otherwise retry policy of the other clients
 * @param maxAttempts attempts of one request (first included) before the client gives up its session
 * @param keepTicket whether well-behaved clients send back the ticket they were given
 */
public record OnReject(double honourRetryAfter, RetryPolicy otherwise, int maxAttempts, boolean keepTicket) {

    /** Every client honours {@code Retry-After} and keeps its ticket; 50 attempts. */
    public static final OnReject DEFAULT = new OnReject(1.0, new RetryPolicy.Immediate(), 50, true);

    public OnReject {
        Objects.requireNonNull(otherwise, "otherwise");
    }
}
