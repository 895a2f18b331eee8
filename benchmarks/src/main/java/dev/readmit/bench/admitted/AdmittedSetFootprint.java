package dev.readmit.bench.admitted;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.readmit.admission.NanoClock;
import dev.readmit.admission.admitted.AdmittedSet;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures the heap held per admitted client: fills each structure with the same uniformly random
 * client hashes and prints the growth of used heap after a full GC, divided by the number of
 * clients. The random keys themselves live in a {@code long[]} allocated before the first reading.
 *
 * <pre>
 * mvn -B -q -o -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.readmit.bench.admitted.AdmittedSetFootprint [clients]
 * </pre>
 */
public final class AdmittedSetFootprint {

    private AdmittedSetFootprint() {}

    public static void main(String[] args) {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long[] keys =
                new SplittableRandom(42).longs(clients).map(k -> k == 0 ? 1 : k).toArray();
        long now = System.nanoTime();

        long before = usedHeapAfterGc();
        AdmittedSet set = AdmittedSet.create(clients, Duration.ofMinutes(10), NanoClock.system());
        for (long key : keys) {
            set.add(key, now);
        }
        report("AdmittedSet", clients, usedHeapAfterGc() - before, set.size());
        set = null;

        before = usedHeapAfterGc();
        ConcurrentHashMap<Long, Long> map = new ConcurrentHashMap<>();
        for (long key : keys) {
            map.put(key, now);
        }
        report("ConcurrentHashMap<Long,Long>", clients, usedHeapAfterGc() - before, map.size());
        map = null;

        before = usedHeapAfterGc();
        Cache<Long, Long> cache = Caffeine.newBuilder()
                .maximumSize(clients)
                .expireAfterAccess(Duration.ofMinutes(10))
                .build();
        for (long key : keys) {
            cache.put(key, now);
        }
        cache.cleanUp();
        report("Caffeine maximumSize+expireAfterAccess", clients, usedHeapAfterGc() - before, cache.estimatedSize());
    }

    private static void report(String name, int clients, long bytes, long size) {
        System.out.printf(
                Locale.ROOT,
                "%-40s %,d clients (size %,d): %,.1f MiB, %.1f bytes per client%n",
                name,
                clients,
                size,
                bytes / 1048576.0,
                (double) bytes / clients);
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
