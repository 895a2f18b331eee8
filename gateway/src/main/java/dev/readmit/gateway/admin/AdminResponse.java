package dev.readmit.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One admin answer. Immutable (the body array is not copied: it is never changed after creation).
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body
 * @param headers more headers, e.g. {@code Allow} or {@code WWW-Authenticate}
 */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";

    static AdminResponse json(int status, String json) {
        return new AdminResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    AdminResponse withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, Map.copyOf(h));
    }
}
