package dev.readmit.admission.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One signing key of a {@link TicketKeys} ring: the HMAC key derived from the operator's secret, its
 * public key id, and one {@link Mac} per thread ({@code Mac} is not thread safe; a thread-local
 * instance initialised once avoids both a lock and a re-keying per ticket).
 *
 * <p>The secret is never used directly: the MAC key and the key id are each HMAC-SHA256 of a fixed
 * label under the secret, so the id that travels in every ticket reveals nothing about the MAC key,
 * and a secret shared with another purpose cannot be confused with ours.
 */
final class TicketKey {

    static final String ALGORITHM = "HmacSHA256";
    private static final byte[] MAC_KEY_LABEL = "readmit ticket mac key v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_ID_LABEL = "readmit ticket key id v1".getBytes(StandardCharsets.US_ASCII);

    private final int id;
    private final SecretKeySpec macKey;
    private final ThreadLocal<Mac> macs;

    private TicketKey(int id, SecretKeySpec macKey) {
        this.id = id;
        this.macKey = macKey;
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** Derives the key from {@code secret}, which the caller keeps ownership of. */
    static TicketKey derive(byte[] secret) {
        SecretKeySpec secretSpec = new SecretKeySpec(secret, ALGORITHM);
        byte[] macKeyBytes = hmac(secretSpec, MAC_KEY_LABEL);
        byte[] idBytes = hmac(secretSpec, KEY_ID_LABEL);
        int id = ((idBytes[0] & 0xff) << 24)
                | ((idBytes[1] & 0xff) << 16)
                | ((idBytes[2] & 0xff) << 8)
                | (idBytes[3] & 0xff);
        TicketKey key = new TicketKey(id, new SecretKeySpec(macKeyBytes, ALGORITHM));
        Arrays.fill(macKeyBytes, (byte) 0);
        return key;
    }

    /** The public id written into every ticket this key signs. */
    int id() {
        return id;
    }

    /** This thread's {@code Mac}, keyed with this key and reset (ready for {@code update}). */
    Mac mac() {
        return macs.get();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(macKey);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide " + ALGORITHM, e);
        }
    }

    private static byte[] hmac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide " + ALGORITHM, e);
        }
    }
}
