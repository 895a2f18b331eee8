package dev.readmit.admission.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class CohortHashTest {

    private static final String LONG_KEY =
            "a-much-longer-client-key-that-is-over-two-hundred-and-forty-bytes-when-encoded-as-utf-16"
                    + "-so-the-long-input-path-of-xxh3-is-exercised-too-0123456789";
    private static final String UNICODE_KEY = "Zo\u00eb-\u5ba2\u6237-\ud83d\ude00";

    /**
     * Upper 0.1% point of the chi-square distribution with 99 degrees of freedom (p = 0.001, df = 99):
     * 148.230.
     */
    private static final double CHI_SQUARE_CRITICAL_P001_DF99 = 148.230;

    /**
     * The fixed vectors. Every value was checked against the reference C library, libxxhash 0.8.1
     * ({@code XXH3_64bits_withSeed}), with {@code src/test/resources/.../xxh3-reference-check.c}.
     */
    @ParameterizedTest(name = "salt \"{0}\", key #{1}")
    @CsvSource({
        "'', 0, 412f1275e10017f3",
        "'', 1, 25c5c929243ff26f",
        "'', 2, 1ff2a82433dd3108",
        "'', 3, 46b71488ae83c1b9",
        "'', 4, 24eec81f529f8a02",
        "'', 5, eb9bd8f280a10dd6",
        "'', 6, 460c3ae44c3c10c5",
        "readmit, 0, 9080c73aca5e74f3",
        "readmit, 1, d77f55628cd2b9e5",
        "readmit, 2, 7b6fe31dde8d63fc",
        "readmit, 3, 82fbbffa0532124c",
        "readmit, 4, bc9ab4c9756b4f38",
        "readmit, 5, 9c52e07ae3cbd5b0",
        "readmit, 6, b24a5eb2a4790e62"
    })
    void matchesTheFixedTestVectors(String salt, int keyIndex, String expectedHex) {
        String[] keys = {"", "a", "client-42", "user@example.com", "203.0.113.7", UNICODE_KEY, LONG_KEY};
        CohortHash cohort = CohortHash.withSalt(salt);

        assertThat(cohort.hash(keys[keyIndex])).isEqualTo(Long.parseUnsignedLong(expectedHex, 16));
    }

    @Test
    void derivesTheSeedFromTheSaltsUtf8Bytes() {
        assertThat(CohortHash.withSalt("").seed()).isEqualTo(0x2d06800538d394c2L);
        assertThat(CohortHash.withSalt("readmit").seed()).isEqualTo(0x0fae968b4906ab42L);
        assertThat(CohortHash.withSalt("sälz").seed())
                .isEqualTo(LongHashFunction.xx3().hashBytes("sälz".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void hashesTheKeyAsUtf16LittleEndianBytesWhateverThePlatform() {
        CohortHash cohort = CohortHash.withSalt("readmit");
        LongHashFunction reference = LongHashFunction.xx3(cohort.seed());
        for (String key : new String[] {"x", "client-7", UNICODE_KEY, LONG_KEY, "\u0100\u0201"}) {
            assertThat(cohort.hash(key))
                    .as(key)
                    .isEqualTo(reference.hashBytes(key.getBytes(StandardCharsets.UTF_16LE)));
        }
    }

    @Test
    void givesTheSameAnswerForEveryKindOfCharSequence() {
        CohortHash cohort = CohortHash.withSalt("readmit");
        long expected = cohort.hash("client-42");
        assertThat(cohort.hash(new StringBuilder("client-42"))).isEqualTo(expected);
        assertThat(cohort.hash(java.nio.CharBuffer.wrap("xxclient-42".toCharArray(), 2, 9)))
                .isEqualTo(expected);
        // Strings take a faster route (Latin-1 and UTF-16 strings alike); it must agree with the general one.
        for (String key : new String[] {"", "x", UNICODE_KEY, LONG_KEY, "\u0100\u0201", "caf\u00e9"}) {
            assertThat(cohort.hash(key)).as(key).isEqualTo(cohort.hash(new StringBuilder(key)));
        }
    }

    @Test
    void differentSaltsShuffleTheCohorts() {
        assertThat(CohortHash.withSalt("a").hash("client-42"))
                .isNotEqualTo(CohortHash.withSalt("b").hash("client-42"));
    }

    @Test
    void mapsAZeroHashToTheFixedReplacement() {
        assertThat(CohortHash.nonZero(0)).isEqualTo(0x9E3779B97F4A7C15L).isEqualTo(CohortHash.ZERO_REPLACEMENT);
        assertThat(CohortHash.nonZero(42)).isEqualTo(42);
        assertThat(CohortHash.nonZero(-1)).isEqualTo(-1);
    }

    @Test
    void positionsUseTheTop53BitsAndStayBelowOne() {
        assertThat(CohortHash.position(0L)).isZero();
        assertThat(CohortHash.position(Long.MIN_VALUE)).isEqualTo(0.5);
        assertThat(CohortHash.position(-1L)).isLessThan(1.0).isEqualTo(1.0 - 0x1.0p-53);
        assertThat(CohortHash.position(0x7FFL)).isZero();
        assertThat(CohortHash.position(0x800L)).isEqualTo(0x1.0p-53);
        CohortHash cohort = CohortHash.withSalt("readmit");
        assertThat(cohort.position("client-42")).isEqualTo(CohortHash.position(0x7b6fe31dde8d63fcL));
    }

    @ParameterizedTest(name = "salt \"{0}\"")
    @CsvSource({"readmit", "''", "production-2026"})
    void spreadsOneHundredThousandKeysUniformlyOverOneHundredBuckets(String salt) {
        CohortHash cohort = CohortHash.withSalt(salt);
        int keys = 100_000;
        int buckets = 100;
        long[] counts = new long[buckets];
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            key.setLength(0);
            key.append("client-").append(i);
            long hash = cohort.hash(key);
            assertThat(hash).isNotZero();
            counts[(int) (cohort.position(key) * buckets)]++;
        }

        double expected = (double) keys / buckets;
        double chiSquare = 0;
        for (long count : counts) {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        assertThat(chiSquare).isLessThan(CHI_SQUARE_CRITICAL_P001_DF99);
    }

    @Test
    void allocatesNothingPerCall() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        CohortHash cohort = CohortHash.withSalt("readmit");
        StringBuilder key = new StringBuilder("client-0000000");
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            key.setCharAt(13, (char) ('0' + i % 10));
            sink += cohort.hash(key);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            key.setCharAt(13, (char) ('0' + i % 10));
            sink += cohort.hash(key);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes over 100,000 calls (sink %d)", sink).isLessThan(1_000);
    }
}
