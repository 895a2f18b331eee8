package dev.readmit.profiles.format;

import java.util.Objects;

/**
 * One recorded request. Immutable.
 *
 * @param timeMillis intended send time, milliseconds since the profile start (fraction = sub-ms)
 * @param client client key
 * @param method HTTP method
 * @param path path and query
 * @param requestBytes request body size, bytes
 * @param status original status, 0 when unknown (informational)
 * @param responseBytes original response body size, bytes, -1 when unknown (informational)
 * @param originalMillis original server time, milliseconds, -1 when unknown (informational)
 * @param className admission class, {@code null} for the profile default
 */
public record RecordedEvent(
        double timeMillis,
        String client,
        String method,
        String path,
        long requestBytes,
        int status,
        long responseBytes,
        double originalMillis,
        String className) {
    public RecordedEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
    }
}
