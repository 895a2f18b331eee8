package dev.readmit.profiles.format;

import java.util.Objects;

/**
 * Where the replayer puts each simulated client's key on its requests, so that the gateway in front
 * of the target tells the clients apart: a header ({@code X-Client-Key}), a cookie or a query
 * parameter. Immutable.
 *
 * @param where the part of the request that carries the key
 * @param name the header, cookie or parameter name
 */
public record ClientKeyPlacement(Where where, String name) {

    /** The default: header {@code X-Client-Key}. */
    public static final ClientKeyPlacement DEFAULT = new ClientKeyPlacement(Where.HEADER, "X-Client-Key");

    /** The part of the request that carries the key. */
    public enum Where {
        HEADER,
        COOKIE,
        QUERY
    }

    public ClientKeyPlacement {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(name, "name");
    }
}
