package dev.readmit.bench;

import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.Decision;
import dev.readmit.admission.TickingNanoClock;
import dev.readmit.admission.bucket.TokenBucket;
import dev.readmit.admission.health.HealthSignal;
import dev.readmit.admission.health.HealthThresholds;
import dev.readmit.admission.ramp.ClassPlan;
import dev.readmit.admission.ramp.CohortPlan;
import dev.readmit.admission.ramp.RampPolicy;
import dev.readmit.admission.ramp.RampShape;
import java.time.Duration;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The admission decision on its three paths, in the storm shape: {@code clients} admitted clients
 * (1,000,000 by default) asked about with uniformly random keys, so nearly every lookup misses the
 * CPU caches, beside a {@code ConcurrentHashMap.get} baseline on the same keys.
 *
 * <ul>
 *   <li>{@code admitted}: an admitted client asks again (the hottest path of the product);
 *   <li>{@code mapBaseline}: {@code ConcurrentHashMap<String, Boolean>.get} on the same keys;
 *   <li>{@code admittedRequestKey} and {@code mapBaselineRequestKey}: the same pair with each call's key
 *       made afresh, as a request brings it (the comparison that matches the gateway);
 *   <li>{@code newlyAdmitted}: a client never seen, its cohort open, a token free: a fresh random
 *       client hash every call (the {@code decide(long, ...)} entry the gateway uses once it has
 *       hashed the key), each remembered in the admitted set (see {@link Fresh});
 *   <li>{@code waiting}: a client never seen whose cohort is not yet open.
 * </ul>
 *
 * <p>Run: {@code benchmarks/run-jmh.sh AdmissionDecisionBenchmark} or
 * {@code java -jar benchmarks/target/benchmarks.jar AdmissionDecisionBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AdmissionDecisionBenchmark {

    @Param({"1000000"})
    int clients;

    private static final int MASK = (1 << 20) - 1;

    private String[] admittedKeys;
    private long[] admittedHashes;
    private String[] equalKeys;
    private String[] newKeys;
    private ConcurrentHashMap<String, Boolean> map;
    private AdmissionController open;
    private AdmissionController closed;
    long[] populationHashes;
    TickingNanoClock clock;

    @Setup(Level.Trial)
    public void setUp() {
        clock = TickingNanoClock.start(Duration.ofNanos(100_000));
        SplittableRandom random = new SplittableRandom(42);
        int lookups = MASK + 1;
        String[] population = new String[clients];
        for (int i = 0; i < clients; i++) {
            population[i] = clientKey(i);
        }
        admittedKeys = new String[lookups];
        newKeys = new String[lookups];
        for (int i = 0; i < lookups; i++) {
            admittedKeys[i] = population[random.nextInt(clients)];
            newKeys[i] = "new-" + Long.toHexString(random.nextLong());
        }
        map = new ConcurrentHashMap<>(clients * 2);
        for (String key : population) {
            map.put(key, Boolean.TRUE);
        }

        open = controller(1.0, TokenBucket.MAX_PERMITS_PER_SECOND, clients * 2);
        long now = clock.nanoTime();
        populationHashes = new long[clients];
        for (int i = 0; i < clients; i++) {
            populationHashes[i] = open.cohortHash().hash(population[i]);
            open.admitTicketHolder(populationHashes[i], 0, now);
        }
        admittedHashes = new long[lookups];
        equalKeys = new String[lookups];
        for (int i = 0; i < lookups; i++) {
            admittedHashes[i] = open.cohortHash().hash(admittedKeys[i]);
            equalKeys[i] = new String(admittedKeys[i].toCharArray());
        }
        closed = controller(0.0, TokenBucket.MAX_PERMITS_PER_SECOND, clients * 2);
    }

    /**
     * The key of admitted client {@code i}: {@code client-} and 16 or fewer hex digits of a bijective
     * mix of {@code i}, so the keys are spread uniformly and a benchmark can make client {@code i}'s
     * key afresh, as a request would bring it, without reading anything from memory.
     */
    static String clientKey(int i) {
        return "client-" + Long.toHexString(Cursor.mix(0x5DEECE66DL + i));
    }

    /**
     * The controller for {@link #newlyAdmitted}: the same admitted population at the start, room for
     * 16 million more clients, a one-second idle expiry and a burst of 10 million permits at the highest
     * rate, so no call finds the bucket empty. A one-second iteration admits millions: when the set is
     * full, an add runs one expiry pass first (at most one per tick), which drops every client idle for
     * a second, so the set stays millions strong and the cost of those passes is part of the score, as
     * it would be in a storm.
     */
    @State(Scope.Benchmark)
    public static class Fresh {
        AdmissionController controller;

        @Setup(Level.Trial)
        public void create(AdmissionDecisionBenchmark run) {
            controller = run.controller(
                    1.0, TokenBucket.MAX_PERMITS_PER_SECOND, run.clients + (1 << 24), Duration.ofSeconds(1));
            long now = run.clock.nanoTime();
            for (long hash : run.populationHashes) {
                controller.admitTicketHolder(hash, 0, now);
            }
        }
    }

    private AdmissionController controller(double openFraction, double permitsPerSecond, int maxAdmitted) {
        return controller(openFraction, permitsPerSecond, maxAdmitted, Duration.ofHours(1));
    }

    AdmissionController controller(double openFraction, double permitsPerSecond, int maxAdmitted, Duration idle) {
        // Never ticked here, so the open fraction stays where it starts.
        CohortPlan plan = CohortPlan.create(
                List.of(ClassPlan.ramped("everyone", RampShape.Steps.of(1.0, Duration.ZERO), openFraction)),
                RampPolicy.ofDefaults(),
                clock);
        return AdmissionController.builder(plan, clock)
                .newClientRate(permitsPerSecond, permitsPerSecond)
                .admitted(maxAdmitted, idle)
                .health(HealthSignal.create(HealthThresholds.ofDefaults(), clock))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        clock.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next = new SplittableRandom(Thread.currentThread().getId()).nextInt();
        long counter = new SplittableRandom(Thread.currentThread().getId()).nextLong();

        int advance() {
            return next++ & MASK;
        }

        /** A client hash never seen before: a bijective mix of a counter (SplitMix64's finalizer); never 0. */
        long freshHash() {
            long z = mix(counter += 0x9E3779B97F4A7C15L);
            return z == 0 ? 1 : z;
        }

        /** A uniformly random admitted client's index, from the same counter. */
        int randomClient(int clients) {
            return (int) ((mix(counter += 0x9E3779B97F4A7C15L) >>> 1) % clients);
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    @Benchmark
    public Decision admitted(Cursor cursor) {
        return open.decide(admittedKeys[cursor.advance()], 0, clock.nanoTime());
    }

    /**
     * As {@link #admitted}, with the key as a request brings it: a {@code String} equal to the admitted
     * client's key but not the same object (its own characters, no cached {@code hashCode}).
     */
    @Benchmark
    public Decision admittedEqualKey(Cursor cursor) {
        return open.decide(equalKeys[cursor.advance()], 0, clock.nanoTime());
    }

    /**
     * {@code ConcurrentHashMap.get} with the same equal-but-distinct keys as {@link #admittedEqualKey}:
     * the map must hash the key's characters and compare them with its own copy, as it would in a
     * gateway, where the key object of a request is never the map's. (The first call on a key caches its
     * {@code hashCode}; the 1,048,576 keys are each used once per pass, so most calls of a short run
     * compute it.)
     */
    @Benchmark
    public Boolean mapBaselineEqualKey(Cursor cursor) {
        return map.get(equalKeys[cursor.advance()]);
    }

    /**
     * The gateway's shape: a random admitted client's key made afresh for the call (a new
     * {@code String}, as the HTTP decoder makes from the header it has just read, so its characters
     * are in the cache and no hash of it is cached), then the decision. Compare with
     * {@link #mapBaselineRequestKey}, which makes the same key the same way; {@link #requestKeyOnly}
     * is the making alone.
     */
    @Benchmark
    public Decision admittedRequestKey(Cursor cursor) {
        return open.decide(clientKey(cursor.randomClient(clients)), 0, clock.nanoTime());
    }

    /** {@code ConcurrentHashMap.get} with a key made as in {@link #admittedRequestKey}. */
    @Benchmark
    public Boolean mapBaselineRequestKey(Cursor cursor) {
        return map.get(clientKey(cursor.randomClient(clients)));
    }

    /** Making the key alone, the part {@link #admittedRequestKey} and its baseline share. */
    @Benchmark
    public String requestKeyOnly(Cursor cursor) {
        return clientKey(cursor.randomClient(clients));
    }

    /** The admitted path without the key hash: what {@link #admitted} costs beyond hashing. */
    @Benchmark
    public Decision admittedByHash(Cursor cursor) {
        return open.decide(admittedHashes[cursor.advance()], 0, clock.nanoTime());
    }

    /** The cohort hash of the key alone (XXH3-64 over the key's UTF-16LE bytes). */
    @Benchmark
    public long keyHash(Cursor cursor) {
        return open.cohortHash().hash(admittedKeys[cursor.advance()]);
    }

    @Benchmark
    public Boolean mapBaseline(Cursor cursor) {
        return map.get(admittedKeys[cursor.advance()]);
    }

    @Benchmark
    public Decision newlyAdmitted(Fresh fresh, Cursor cursor) {
        return fresh.controller.decide(cursor.freshHash(), 0, clock.nanoTime());
    }

    @Benchmark
    public Decision waiting(Cursor cursor) {
        return closed.decide(newKeys[cursor.advance()], 0, clock.nanoTime());
    }
}
