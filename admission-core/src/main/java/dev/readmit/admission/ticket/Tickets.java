package dev.readmit.admission.ticket;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Issues and verifies admission tickets: the proof, carried by a client in a cookie or header, that
 * it was admitted, so that admission survives a gateway restart and is honoured by every instance
 * that shares the {@link TicketKeys}.
 *
 * <p>A ticket is 82 URL-safe characters: the base64url encoding (no padding) of 61 bytes, all
 * integers big-endian:
 *
 * <pre>
 * offset size field
 *      0    1 version (1)
 *      1    4 key id of the signing key
 *      5    8 client hash (the 64-bit hash of the client key; never 0)
 *     13    8 admitted at, epoch seconds
 *     21    8 expires at, epoch seconds (exclusive)
 *     29   32 HMAC-SHA256 over bytes 0..28 under the key with that id
 * </pre>
 *
 * <p>A ticket is a bearer token for the client hash it names: a caller that also resolves a client
 * key from the request should require {@code verify(ticket) == hash(clientKey)}.
 *
 * <p>{@link #verify} never throws on bad input and answers 0 for anything that is not a valid,
 * unexpired ticket of a key in the ring. It rejects on length, alphabet, version, key id and expiry
 * before computing a MAC, and compares MACs in constant time ({@link MessageDigest#isEqual}). It
 * decodes into thread-local buffers with a thread-local {@code Mac}, so a reject before the MAC
 * allocates nothing, and a reject by MAC allocates only the 32-byte array that the JDK's
 * {@code Mac.doFinal} creates internally. A cache hit allocates nothing.
 *
 * <p>Verified tickets are remembered in a direct-mapped cache so that a busy client is not
 * re-verified on every request. Only tickets whose MAC verified are stored, and a hit requires the
 * presented string to equal the stored one in full (compared in constant time), the ticket to be
 * unexpired, and its key to be still in the ring. So a cache hit is exactly as hard to forge as the
 * MAC: the cache index (a hash of the MAC characters) only picks where to look and is never trusted;
 * an attacker can fill cache slots only with tickets it legitimately holds, which at worst evicts
 * another client's entry and costs that client one re-verification.
 *
 * <p>Thread safety: safe for concurrent use without locks.
 */
public final class Tickets {

    /** The format version written in byte 0. */
    public static final int VERSION = 1;
    /** Length of every ticket, in characters. */
    public static final int TICKET_CHARS = 82;
    /** Default number of cache slots. */
    public static final int DEFAULT_CACHE_SLOTS = 1 << 16;

    static final int SIGNED_BYTES = 29;
    static final int MAC_BYTES = 32;
    static final int TICKET_BYTES = SIGNED_BYTES + MAC_BYTES;

    private static final int[] BASE64URL_VALUES = new int[128];
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    static {
        Arrays.fill(BASE64URL_VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64URL_VALUES[alphabet.charAt(i)] = i;
        }
    }

    private final TicketKeys keys;
    private final long lifetimeSeconds;
    private final InstantSource wallClock;
    private final AtomicReferenceArray<CachedTicket> cache;
    private final int cacheMask;

    private Tickets(TicketKeys keys, long lifetimeSeconds, InstantSource wallClock, int cacheSlots) {
        this.keys = keys;
        this.lifetimeSeconds = lifetimeSeconds;
        this.wallClock = wallClock;
        this.cache = new AtomicReferenceArray<>(cacheSlots);
        this.cacheMask = cacheSlots - 1;
    }

    /**
     * Tickets with the default cache of {@value #DEFAULT_CACHE_SLOTS} slots.
     *
     * @param keys the key ring; its current key signs, all its keys verify
     * @param ticketLifetime how long an issued ticket admits, at least one second (whole seconds)
     * @param wallClock wall time: tickets must outlive the process, so not a monotonic clock
     */
    public static Tickets create(TicketKeys keys, Duration ticketLifetime, InstantSource wallClock) {
        return create(keys, ticketLifetime, wallClock, DEFAULT_CACHE_SLOTS);
    }

    /**
     * Tickets with a verified-ticket cache of {@code cacheSlots} slots (a power of two, 1 to
     * 2^24). Size it near the number of clients expected to present tickets at once: a slot costs
     * about 4 bytes empty and about 170 bytes filled.
     *
     * @throws IllegalArgumentException if the lifetime is under one second or the slot count is
     *     not a power of two in range
     */
    public static Tickets create(TicketKeys keys, Duration ticketLifetime, InstantSource wallClock, int cacheSlots) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(ticketLifetime, "ticketLifetime");
        Objects.requireNonNull(wallClock, "wallClock");
        if (ticketLifetime.getSeconds() < 1) {
            throw new IllegalArgumentException("ticketLifetime must be at least 1 second, got " + ticketLifetime);
        }
        if (cacheSlots < 1 || cacheSlots > (1 << 24) || Integer.bitCount(cacheSlots) != 1) {
            throw new IllegalArgumentException(
                    "cacheSlots must be a power of two between 1 and " + (1 << 24) + ", got " + cacheSlots);
        }
        return new Tickets(keys, ticketLifetime.getSeconds(), wallClock, cacheSlots);
    }

    /**
     * Signs a ticket for {@code clientHash} with the current key, valid from now for the lifetime.
     *
     * @param clientHash the client's key hash, not 0
     * @return {@value #TICKET_CHARS} base64url characters, no padding
     * @throws IllegalArgumentException if {@code clientHash} is 0
     */
    public String issue(long clientHash) {
        if (clientHash == 0) {
            throw new IllegalArgumentException("clientHash 0 is reserved for \"no client\"");
        }
        long now = Math.floorDiv(wallClock.millis(), 1000L);
        TicketKey key = keys.current();
        byte[] ticket = new byte[TICKET_BYTES];
        ticket[0] = (byte) VERSION;
        putInt(ticket, 1, key.id());
        putLong(ticket, 5, clientHash);
        putLong(ticket, 13, now);
        putLong(ticket, 21, now + lifetimeSeconds);
        Mac mac = key.mac();
        mac.update(ticket, 0, SIGNED_BYTES);
        doFinal(mac, ticket, SIGNED_BYTES);
        return ENCODER.encodeToString(ticket);
    }

    /**
     * Checks a ticket.
     *
     * @param ticket the presented ticket; null, empty or malformed is simply not valid
     * @return the client hash the ticket admits, or 0 if it is not a valid, unexpired ticket signed
     *     by a key in the ring
     */
    public long verify(CharSequence ticket) {
        if (ticket == null || ticket.length() != TICKET_CHARS) {
            return 0;
        }
        long nowMillis = wallClock.millis();
        int slot = cacheSlot(ticket);
        CachedTicket cached = cache.getAcquire(slot);
        if (cached != null
                && nowMillis < cached.expiresAtMillis
                && constantTimeEquals(cached.ticket, ticket)
                && keys.contains(cached.key)) {
            return cached.clientHash;
        }
        Scratch scratch = SCRATCH.get();
        byte[] bytes = scratch.ticket;
        if (!decode(ticket, bytes) || bytes[0] != VERSION) {
            return 0;
        }
        TicketKey key = keys.find(getInt(bytes, 1));
        if (key == null) {
            return 0;
        }
        long clientHash = getLong(bytes, 5);
        long expiresAt = getLong(bytes, 21);
        if (clientHash == 0 || Math.floorDiv(nowMillis, 1000L) >= expiresAt) {
            return 0;
        }
        Mac mac = key.mac();
        mac.update(bytes, 0, SIGNED_BYTES);
        doFinal(mac, scratch.expectedMac, 0);
        System.arraycopy(bytes, SIGNED_BYTES, scratch.presentedMac, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(scratch.expectedMac, scratch.presentedMac)) {
            return 0;
        }
        long expiresAtMillis = expiresAt > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : expiresAt * 1000;
        cache.setRelease(slot, new CachedTicket(ticket.toString(), clientHash, expiresAtMillis, key));
        return clientHash;
    }

    /** The lifetime of issued tickets. */
    public Duration ticketLifetime() {
        return Duration.ofSeconds(lifetimeSeconds);
    }

    /** Whether {@code ticket} is currently in the verified-ticket cache; for tests. */
    boolean isCached(CharSequence ticket) {
        CachedTicket cached = cache.get(cacheSlot(ticket));
        return cached != null && cached.ticket.contentEquals(ticket);
    }

    /**
     * The cache slot: a hash of the last 16 characters, which encode MAC bytes. Those are uniformly
     * spread for real tickets; for forged ones the slot does not matter, as nothing is trusted
     * from it.
     */
    private int cacheSlot(CharSequence ticket) {
        long h = 0;
        for (int i = TICKET_CHARS - 16; i < TICKET_CHARS; i++) {
            h = (h << 4) ^ (h >>> 60) ^ ticket.charAt(i);
        }
        return (int) ((h * GOLDEN_GAMMA) >>> 40) & cacheMask;
    }

    /** Equal length assumed; the time taken does not depend on where the first difference is. */
    private static boolean constantTimeEquals(String expected, CharSequence presented) {
        int difference = 0;
        for (int i = 0; i < TICKET_CHARS; i++) {
            difference |= expected.charAt(i) ^ presented.charAt(i);
        }
        return difference == 0;
    }

    /**
     * Decodes exactly {@value #TICKET_CHARS} base64url characters into {@value #TICKET_BYTES}
     * bytes, refusing any other character and non-canonical trailing bits. Written here rather than
     * with {@link Base64.Decoder} because that decoder signals bad input with an exception and
     * needs a byte array or String as input: both would cost allocations on the reject path.
     */
    static boolean decode(CharSequence text, byte[] out) {
        int bad = 0;
        int o = 0;
        int i = 0;
        for (; i + 4 <= TICKET_CHARS - 2; i += 4) {
            int a = value(text.charAt(i));
            int b = value(text.charAt(i + 1));
            int c = value(text.charAt(i + 2));
            int d = value(text.charAt(i + 3));
            bad |= a | b | c | d;
            int bits = (a << 18) | (b << 12) | (c << 6) | d;
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        int a = value(text.charAt(i));
        int b = value(text.charAt(i + 1));
        bad |= a | b;
        out[o] = (byte) ((a << 2) | (b >> 4));
        // the 4 low bits of the last character carry nothing: a canonical encoding has them zero
        return bad >= 0 && (b & 0x0f) == 0;
    }

    private static int value(char c) {
        return c < 128 ? BASE64URL_VALUES[c] : -1;
    }

    private static void doFinal(Mac mac, byte[] out, int offset) {
        try {
            mac.doFinal(out, offset);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("the MAC buffer is sized for HMAC-SHA256", e);
        }
    }

    private static void putInt(byte[] bytes, int offset, int value) {
        for (int i = 3; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static void putLong(byte[] bytes, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static int getInt(byte[] bytes, int offset) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    private static long getLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    /** Per-thread buffers of the verify path, so that rejecting allocates nothing. */
    private static final class Scratch {
        final byte[] ticket = new byte[TICKET_BYTES];
        final byte[] expectedMac = new byte[MAC_BYTES];
        final byte[] presentedMac = new byte[MAC_BYTES];
    }

    /** A ticket whose MAC verified; immutable, published by a release store. */
    private record CachedTicket(String ticket, long clientHash, long expiresAtMillis, TicketKey key) {}
}
