package dev.readmit.admission.cohort;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import net.openhft.hashing.Access;
import net.openhft.hashing.LongHashFunction;

/**
 * The stable cohort hash and cohort position of a client key, for one salt.
 *
 * <p><b>Definition</b> (fixed: every instance, restart and version of readmit computes the same
 * values, on any platform):
 *
 * <ol>
 *   <li>{@code seed = XXH3-64(UTF-8 bytes of salt, seed 0)}
 *   <li>{@code h = XXH3-64(UTF-16LE bytes of the key's chars, seed)}: each {@code char} as two bytes,
 *       low byte first, whatever the platform's byte order; no byte-order mark; surrogates as they are.
 *   <li>{@code hash = h == 0 ? 0x9E3779B97F4A7C15 : h}: 0 is the "no client" sentinel elsewhere in
 *       readmit, so it is never returned; the replacement is the 64-bit golden ratio constant.
 *   <li>{@code position = (hash >>> 11) / 2^53}, in [0, 1): the top 53 bits, exact in a double.
 * </ol>
 *
 * <p>XXH3-64 is the 64-bit XXH3 of xxHash 0.8 (as in {@code XXH3_64bits_withSeed}), computed by the
 * zero-allocation-hashing library without copying the key. Test vectors are in {@code CohortHashTest}
 * and in the README.
 *
 * <p>Thread safe and immutable; {@link #hash} and {@link #position(CharSequence)} allocate nothing.
 * Keys must not be null.
 */
public final class CohortHash {

    /** What a hash of 0 is mapped to: {@code 0x9E3779B97F4A7C15}, the 64-bit golden ratio. */
    public static final long ZERO_REPLACEMENT = 0x9E3779B97F4A7C15L;

    private static final double UNIT = 0x1.0p-53;
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final Access<CharSequence> UTF_16LE = Access.toCharSequence(ByteOrder.LITTLE_ENDIAN);

    private final String salt;
    private final long seed;
    private final LongHashFunction function;

    private CohortHash(String salt) {
        this.salt = salt;
        this.seed = LongHashFunction.xx3().hashBytes(salt.getBytes(StandardCharsets.UTF_8));
        this.function = LongHashFunction.xx3(seed);
    }

    /**
     * The cohort hash for {@code salt}, typically from configuration. Gateways that must agree on
     * cohorts must use the same salt; changing it reshuffles every client.
     *
     * @param salt any string, may be empty; not null
     */
    public static CohortHash withSalt(String salt) {
        return new CohortHash(Objects.requireNonNull(salt, "salt"));
    }

    /** The stable 64-bit hash of {@code clientKey} (see the class definition); never 0. */
    public long hash(CharSequence clientKey) {
        if (NATIVE_LITTLE_ENDIAN && clientKey instanceof String string) {
            // The same bytes, read straight from the string's own array (Latin-1 strings widened on the
            // fly) instead of char by char through the CharSequence interface: several times faster.
            return nonZero(function.hashChars(string));
        }
        return nonZero(function.hash(clientKey, UTF_16LE, 0, 2L * clientKey.length()));
    }

    static long nonZero(long hash) {
        return hash == 0 ? ZERO_REPLACEMENT : hash;
    }

    /** The cohort position of {@code clientKey} in [0, 1): {@code position(hash(clientKey))}. */
    public double position(CharSequence clientKey) {
        return position(hash(clientKey));
    }

    /** The position of a hash in [0, 1): its top 53 bits divided by 2<sup>53</sup>. */
    public static double position(long hash) {
        return (hash >>> 11) * UNIT;
    }

    /** The XXH3-64 seed derived from the salt (step 1 of the definition). */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "CohortHash[saltLength=" + salt.length() + ", seed=" + Long.toHexString(seed) + "]";
    }
}
