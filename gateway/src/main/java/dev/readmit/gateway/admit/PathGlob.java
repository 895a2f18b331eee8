package dev.readmit.gateway.admit;

/**
 * A compiled path glob: {@code *} matches any characters except {@code /}, {@code **} any
 * characters including {@code /}, {@code ?} one character except {@code /}; everything else matches
 * itself, case-sensitively. A glob ending in {@code /**} also matches the path without that suffix
 * ({@code /api/restore/**} matches {@code /api/restore}).
 *
 * <p>Immutable and thread safe. Matching allocates nothing and takes time linear in the path's
 * length.
 *
 * <p>Implementation notes: the glob is split into its literal prefix (compared with {@code
 * regionMatches}) and the rest, which is run as a nondeterministic automaton whose state set is one
 * {@code long} bit mask (bit {@code i}: "the first {@code i} operations have matched"), so the rest
 * may hold at most 63 operations. Wildcards match the empty string, which is the epsilon closure
 * applied after each character.
 */
final class PathGlob {

    private static final int STAR = -1;
    private static final int DOUBLE_STAR = -2;
    private static final int ONE_CHAR = -3;
    private static final int MAX_OPS = 63;

    private final String glob;
    private final String prefix;
    private final int[] ops;
    private final long starMask;
    /** For a glob ending in {@code /**}: the same glob without it, which also matches. */
    private final PathGlob withoutTrailingAll;

    private PathGlob(String glob, String prefix, int[] ops, PathGlob withoutTrailingAll) {
        this.glob = glob;
        this.prefix = prefix;
        this.ops = ops;
        long mask = 0;
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] == STAR || ops[i] == DOUBLE_STAR) {
                mask |= 1L << i;
            }
        }
        this.starMask = mask;
        this.withoutTrailingAll = withoutTrailingAll;
    }

    /**
     * Compiles {@code glob}.
     *
     * @throws IllegalArgumentException if the glob does not start with {@code /}, holds {@code ***}
     *     or is too complex, with a message fit for a config error
     */
    static PathGlob compile(String glob) {
        if (glob.isEmpty() || glob.charAt(0) != '/') {
            throw new IllegalArgumentException(
                    "must be a path glob starting with /, such as /api/restore/**, got '" + glob + "'");
        }
        if (glob.contains("***")) {
            throw new IllegalArgumentException(
                    "'***' is not a wildcard; use * (within a segment) or ** (across segments), got '" + glob + "'");
        }
        PathGlob shorter = null;
        if (glob.endsWith("/**") && glob.length() > 3) {
            shorter = compile(glob.substring(0, glob.length() - 3));
        }
        int firstWildcard = 0;
        while (firstWildcard < glob.length() && !isWildcard(glob.charAt(firstWildcard))) {
            firstWildcard++;
        }
        String prefix = glob.substring(0, firstWildcard);
        int[] ops = new int[glob.length() - firstWildcard];
        int count = 0;
        for (int i = firstWildcard; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    ops[count++] = DOUBLE_STAR;
                    i++;
                } else {
                    ops[count++] = STAR;
                }
            } else if (c == '?') {
                ops[count++] = ONE_CHAR;
            } else {
                ops[count++] = c;
            }
        }
        if (count > MAX_OPS) {
            throw new IllegalArgumentException("the part after the first wildcard may hold at most " + MAX_OPS
                    + " characters and wildcards, got " + count + " in '" + glob + "'");
        }
        int[] trimmed = new int[count];
        System.arraycopy(ops, 0, trimmed, 0, count);
        return new PathGlob(glob, prefix, trimmed, shorter);
    }

    private static boolean isWildcard(char c) {
        return c == '*' || c == '?';
    }

    /** True if {@code path[start, end)} matches. */
    boolean matches(String path, int start, int end) {
        if (matchesExactly(path, start, end)) {
            return true;
        }
        return withoutTrailingAll != null && withoutTrailingAll.matchesExactly(path, start, end);
    }

    private boolean matchesExactly(String path, int start, int end) {
        int prefixLength = prefix.length();
        if (end - start < prefixLength || !path.regionMatches(start, prefix, 0, prefixLength)) {
            return false;
        }
        int m = ops.length;
        if (m == 0) {
            return end - start == prefixLength;
        }
        long states = closure(1L);
        for (int i = start + prefixLength; i < end && states != 0; i++) {
            char c = path.charAt(i);
            long next = 0;
            for (long pending = states; pending != 0; pending &= pending - 1) {
                int at = Long.numberOfTrailingZeros(pending);
                if (at == m) {
                    continue;
                }
                int op = ops[at];
                if (op == DOUBLE_STAR || (op == STAR && c != '/')) {
                    next |= 1L << at;
                } else if ((op == ONE_CHAR && c != '/') || op == c) {
                    next |= 1L << (at + 1);
                }
            }
            states = closure(next);
        }
        return (states & (1L << m)) != 0;
    }

    /** Adds, for every reached wildcard, the state after it (wildcards match the empty string). */
    private long closure(long states) {
        long result = states;
        long stars = result & starMask;
        while (stars != 0) {
            int at = Long.numberOfTrailingZeros(stars);
            result |= 1L << (at + 1);
            // Only wildcards after this one remain; the one just reached may itself be a wildcard.
            stars = result & starMask & (-1L << (at + 1));
        }
        return result;
    }

    @Override
    public String toString() {
        return glob;
    }
}
