package dev.readmit.profiles.format;

import java.util.Objects;

/**
 * One request of a modelled session. The path may hold {@code {client}} (the client key) and {@code
 * {seq}} (the request's number in its session, from 0). Immutable.
 *
 * @param weight share of the session's mix requests that are this one (ignored for fixed requests)
 * @param method HTTP method
 * @param path path and query
 * @param requestBytes size of the synthesised request body, bytes
 */
public record RequestTemplate(double weight, String method, String path, Distribution requestBytes) {
    public RequestTemplate {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(requestBytes, "requestBytes");
    }
}
