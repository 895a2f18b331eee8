package dev.readmit.profiles.format;

import java.util.List;
import java.util.Objects;

/**
 * What each client of a population does once it has arrived. Either a request loop ({@code requests}
 * mix requests separated by {@code think_ms}) or a long-lived connection ({@code hold_ms} during which
 * messages go out at {@code messages_per_min}); both start with the fixed {@code first} requests.
 * Immutable.
 *
 * @param first requests sent first, in order, {@code think} apart
 * @param requests number of mix requests after {@code first}; null for a long-lived session
 * @param thinkMillis gap between the intended times of consecutive requests; null for long-lived
 * @param holdMillis how long a long-lived connection stays open; null for a request loop
 * @param messagesPerMinute message rate of a long-lived connection; null for a request loop
 * @param mix weighted requests after {@code first}; weights are shares of issued requests
 * @param connection how the client holds its connections
 * @param transport what a long-lived session speaks on its connection; {@link Transport#HTTP} for a
 *     request loop; never null
 */
public record Session(
        List<RequestTemplate> first,
        Distribution requests,
        Distribution thinkMillis,
        Distribution holdMillis,
        Distribution messagesPerMinute,
        List<RequestTemplate> mix,
        ConnectionMode connection,
        Transport transport) {

    public Session {
        first = List.copyOf(first);
        mix = List.copyOf(mix);
        Objects.requireNonNull(transport, "transport");
    }

    /** A session over HTTP (the format's default transport). */
    public Session(
            List<RequestTemplate> first,
            Distribution requests,
            Distribution thinkMillis,
            Distribution holdMillis,
            Distribution messagesPerMinute,
            List<RequestTemplate> mix,
            ConnectionMode connection) {
        this(first, requests, thinkMillis, holdMillis, messagesPerMinute, mix, connection, Transport.HTTP);
    }

    /** True for a long-lived connection with a message rate. */
    public boolean longLived() {
        return holdMillis != null;
    }
}
