package dev.readmit.gateway.admit;

import io.netty.util.NetUtil;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare
 * address means that one address.
 *
 * <p>Immutable and thread safe. Parsing never resolves names (no DNS). IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.1.2.3}) are treated as their IPv4 address on both sides.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix} or a bare address.
     *
     * @throws IllegalArgumentException naming what is wrong, for config errors
     */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = parseAddress(addressText);
        if (address == null) {
            throw new IllegalArgumentException(
                    "must be an IP address or CIDR network such as 10.0.0.0/8 or fd00::/8, got '" + text + "'");
        }
        int maxPrefix = address.length * 8;
        int prefix = maxPrefix;
        if (slash >= 0) {
            String prefixText = trimmed.substring(slash + 1);
            try {
                prefix = Integer.parseInt(prefixText);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > maxPrefix) {
                throw new IllegalArgumentException("prefix length must be between 0 and " + maxPrefix + ", got '"
                        + prefixText + "' in '" + text + "'");
            }
        }
        return new Cidr(mask(address, prefix), prefix, trimmed);
    }

    /**
     * Parses an IP address literal without any name resolution.
     *
     * @return the address's 4 or 16 bytes (IPv4-mapped IPv6 as 4 bytes), or null if {@code text} is
     *     no IP literal
     */
    static byte[] parseAddress(CharSequence text) {
        String s = text.toString();
        if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            s = s.substring(1, s.length() - 1);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        return bytes == null ? null : unmapped(bytes);
    }

    /** Returns IPv4-mapped IPv6 addresses as their 4 IPv4 bytes, anything else unchanged. */
    static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return address;
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    /** True if {@code address} (4 or 16 bytes, already {@link #unmapped}) lies in this network. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xff << (8 - remainingBits)) & 0xff;
        return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return masked;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** The text as configured. */
    @Override
    public String toString() {
        return text;
    }
}
