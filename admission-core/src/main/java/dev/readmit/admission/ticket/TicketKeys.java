package dev.readmit.admission.ticket;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The key ring for admission tickets: the current key signs new tickets, the previous keys still
 * verify the tickets they signed, so a key can be rotated without turning every admitted client
 * away. Every instance that shares the secrets agrees on the key ids, because an id is derived from
 * its secret (see the README's ticket section), not assigned in order.
 *
 * <p>Secrets are at least {@value #MIN_SECRET_BYTES} bytes (256 bits, the HMAC-SHA256 block
 * strength); {@link #generate()} draws them from {@link SecureRandom}. The ring copies what it is
 * given and keeps only derived keys, never the secret bytes. At most {@value #MAX_PREVIOUS_KEYS}
 * previous keys are kept; rotating past that drops the oldest, and its tickets stop verifying.
 *
 * <p>Thread safety: safe for concurrent use. Readers see an immutable snapshot of the ring;
 * {@link #rotate} (rare, an operator action) is serialised and publishes a new snapshot.
 */
public final class TicketKeys {

    /** Smallest accepted secret, in bytes. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Most previous keys kept for verification. */
    public static final int MAX_PREVIOUS_KEYS = 3;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Current key first, then previous keys, newest first. Replaced, never mutated. */
    private volatile TicketKey[] ring;

    private TicketKeys(TicketKey[] ring) {
        this.ring = ring;
    }

    /**
     * A ring whose current key is derived from {@code currentSecret}.
     *
     * @param currentSecret at least 32 bytes; copied
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes
     */
    public static TicketKeys of(byte[] currentSecret) {
        return of(currentSecret, List.of());
    }

    /**
     * A ring with a current key and previous keys that still verify (for example after a restart in
     * the middle of a rotation).
     *
     * @param currentSecret at least 32 bytes; signs new tickets
     * @param previousSecrets newest first, at most {@value #MAX_PREVIOUS_KEYS}, each at least 32
     *     bytes; their tickets still verify
     * @throws IllegalArgumentException if a secret is too short, there are too many, or two secrets
     *     have the same key id (for example the same secret given twice)
     */
    public static TicketKeys of(byte[] currentSecret, List<byte[]> previousSecrets) {
        Objects.requireNonNull(currentSecret, "currentSecret");
        Objects.requireNonNull(previousSecrets, "previousSecrets");
        if (previousSecrets.size() > MAX_PREVIOUS_KEYS) {
            throw new IllegalArgumentException("at most " + MAX_PREVIOUS_KEYS
                    + " previous ticket secrets are kept, got " + previousSecrets.size());
        }
        List<TicketKey> keys = new ArrayList<>();
        keys.add(derive(currentSecret, "currentSecret"));
        for (int i = 0; i < previousSecrets.size(); i++) {
            TicketKey key = derive(previousSecrets.get(i), "previousSecrets[" + i + "]");
            requireDistinctId(key, keys);
            keys.add(key);
        }
        return new TicketKeys(keys.toArray(TicketKey[]::new));
    }

    /** A ring with one key drawn from {@link SecureRandom}: tickets then verify only in this process. */
    public static TicketKeys generate() {
        return of(randomSecret());
    }

    /** A new random 32-byte secret from {@link SecureRandom}, for example to store and share. */
    public static byte[] randomSecret() {
        byte[] secret = new byte[MIN_SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /**
     * Makes {@code newSecret} the current key; the old current key becomes the newest previous
     * key, and the oldest previous key is dropped if there are more than {@value
     * #MAX_PREVIOUS_KEYS}.
     *
     * @param newSecret at least 32 bytes; copied
     * @throws IllegalArgumentException if too short, or its key id equals a key still in the ring
     */
    public synchronized void rotate(byte[] newSecret) {
        TicketKey key = derive(Objects.requireNonNull(newSecret, "newSecret"), "newSecret");
        TicketKey[] old = ring;
        requireDistinctId(key, Arrays.asList(old));
        TicketKey[] next = new TicketKey[Math.min(old.length + 1, MAX_PREVIOUS_KEYS + 1)];
        next[0] = key;
        System.arraycopy(old, 0, next, 1, next.length - 1);
        ring = next;
    }

    /** Rotates to a new secret drawn from {@link SecureRandom}. */
    public void rotate() {
        rotate(randomSecret());
    }

    /** The id of the key that signs new tickets. */
    public int currentKeyId() {
        return ring[0].id();
    }

    /** The ids of all keys that verify, current first. */
    public List<Integer> keyIds() {
        TicketKey[] snapshot = ring;
        List<Integer> ids = new ArrayList<>(snapshot.length);
        for (TicketKey key : snapshot) {
            ids.add(key.id());
        }
        return List.copyOf(ids);
    }

    TicketKey current() {
        return ring[0];
    }

    /** The key with this id, or null: no allocation. */
    TicketKey find(int keyId) {
        for (TicketKey key : ring) {
            if (key.id() == keyId) {
                return key;
            }
        }
        return null;
    }

    /** Whether this exact key is still in the ring (a cached ticket of a dropped key must not hit). */
    boolean contains(TicketKey wanted) {
        for (TicketKey key : ring) {
            if (key == wanted) {
                return true;
            }
        }
        return false;
    }

    private static TicketKey derive(byte[] secret, String name) {
        Objects.requireNonNull(secret, name);
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    name + " must be at least " + MIN_SECRET_BYTES + " bytes, got " + secret.length);
        }
        byte[] copy = secret.clone();
        try {
            return TicketKey.derive(copy);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    private static void requireDistinctId(TicketKey key, List<TicketKey> existing) {
        for (TicketKey other : existing) {
            if (other.id() == key.id()) {
                throw new IllegalArgumentException("ticket key id " + Integer.toHexString(key.id())
                        + " is already in the ring (the same secret twice?); use another secret");
            }
        }
    }
}
