package dev.readmit.bench.admitted;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.readmit.admission.NanoClock;
import dev.readmit.admission.admitted.AdmittedSet;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The admitted-client lookup on its hit path, in the reconnect-storm shape: {@code clients}
 * admitted clients and lookups spread uniformly over all of them (no hot few), so nearly every
 * lookup misses the CPU caches. Three structures answer the same question on the same keys:
 *
 * <ul>
 *   <li>{@code ADMITTED_SET}: {@link AdmittedSet#touchIfPresent} (also refreshes the last-seen
 *       tick; the time is fixed, as the caller reads the clock once per request anyway);
 *   <li>{@code CONCURRENT_HASH_MAP}: {@code ConcurrentHashMap<Long, Long>.get}, the baseline (keys
 *       boxed in advance, which favours it: a real caller would box per request);
 *   <li>{@code CAFFEINE}: {@code Cache<Long, Long>.getIfPresent} with {@code maximumSize} and
 *       {@code expireAfterAccess}, the configuration an admitted set would need.
 * </ul>
 *
 * <p>Setup checks that every lookup is a hit. Run (from the repository root):
 *
 * <pre>
 * mvn -B -q -o -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar AdmittedSetBenchmark -wi 3 -i 5 -f 1 -w 1s -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AdmittedSetBenchmark {

    /** The structures compared. */
    public enum Structure {
        ADMITTED_SET,
        CONCURRENT_HASH_MAP,
        CAFFEINE
    }

    /** Lookups cycle through this many uniformly drawn keys (a power of two). */
    private static final int LOOKUPS = 1 << 22;

    @Param({"ADMITTED_SET", "CONCURRENT_HASH_MAP", "CAFFEINE"})
    public Structure structure;

    @Param({"1000000"})
    public int clients;

    private long[] lookupKeys;
    private Long[] boxedLookupKeys;
    private AdmittedSet admittedSet;
    private ConcurrentHashMap<Long, Long> map;
    private Cache<Long, Long> caffeine;
    private long nowNanos;

    /** Each benchmark thread walks the lookup keys from its own offset. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void start() {
            next = (int) (Thread.currentThread().getId() * 7919);
        }
    }

    @Setup(Level.Trial)
    public void fill() {
        SplittableRandom random = new SplittableRandom(42);
        long[] keys = new long[clients];
        for (int i = 0; i < clients; i++) {
            long key;
            do {
                key = random.nextLong();
            } while (key == 0);
            keys[i] = key;
        }
        nowNanos = System.nanoTime();
        switch (structure) {
            case ADMITTED_SET -> {
                admittedSet = AdmittedSet.create(clients, Duration.ofMinutes(10), NanoClock.system());
                for (long key : keys) {
                    admittedSet.add(key, nowNanos);
                }
            }
            case CONCURRENT_HASH_MAP -> {
                map = new ConcurrentHashMap<>(clients * 2);
                for (long key : keys) {
                    map.put(key, nowNanos);
                }
            }
            case CAFFEINE -> {
                caffeine = Caffeine.newBuilder()
                        .maximumSize(clients)
                        .expireAfterAccess(Duration.ofMinutes(10))
                        .build();
                for (long key : keys) {
                    caffeine.put(key, nowNanos);
                }
                caffeine.cleanUp();
            }
        }
        lookupKeys = new long[LOOKUPS];
        boxedLookupKeys = new Long[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            lookupKeys[i] = keys[random.nextInt(clients)];
            boxedLookupKeys[i] = Long.valueOf(lookupKeys[i]);
        }
        int misses = 0;
        for (int i = 0; i < LOOKUPS; i++) {
            if (!lookup(i)) {
                misses++;
            }
        }
        if (misses > 0) {
            throw new IllegalStateException(structure + " missed " + misses + " of " + LOOKUPS + " lookups");
        }
    }

    @Benchmark
    public boolean touchHit(Cursor cursor) {
        return lookup(cursor.next++ & (LOOKUPS - 1));
    }

    private boolean lookup(int i) {
        return switch (structure) {
            case ADMITTED_SET -> admittedSet.touchIfPresent(lookupKeys[i], nowNanos);
            case CONCURRENT_HASH_MAP -> map.get(boxedLookupKeys[i]) != null;
            case CAFFEINE -> caffeine.getIfPresent(boxedLookupKeys[i]) != null;
        };
    }
}
