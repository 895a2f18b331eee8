package dev.readmit.profiles.format;

import java.util.Objects;

/**
 * A group of clients that arrive the same way and run the same session shape. Immutable.
 *
 * @param name population name (unique in the profile)
 * @param className admission class the clients belong to (e.g. {@code priority}), for the report
 * @param clients number of clients
 * @param keyPattern client key pattern; {@code {i}} is the client's index, {@code {i:05}} zero-padded
 * @param arrival when clients arrive
 * @param session what each client does
 */
public record Population(
        String name, String className, int clients, String keyPattern, Arrival arrival, Session session) {
    public Population {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(keyPattern, "keyPattern");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(session, "session");
    }
}
