package dev.readmit.bench;

import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.Decision;
import dev.readmit.admission.TickingNanoClock;
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
 *   <li>{@code newlyAdmitted}: a client never seen, its cohort open, a token free (the bucket's
 *       rate is effectively unlimited);
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
    private String[] newKeys;
    private ConcurrentHashMap<String, Boolean> map;
    private AdmissionController open;
    private AdmissionController closed;
    private TickingNanoClock clock;

    @Setup(Level.Trial)
    public void setUp() {
        clock = TickingNanoClock.start(Duration.ofNanos(100_000));
        SplittableRandom random = new SplittableRandom(42);
        int lookups = MASK + 1;
        String[] population = new String[clients];
        for (int i = 0; i < clients; i++) {
            population[i] = "client-" + Long.toHexString(random.nextLong());
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

        open = controller(1.0, 1e9);
        long now = clock.nanoTime();
        for (String key : population) {
            open.admitTicketHolder(open.cohortHash().hash(key), 0, now);
        }
        closed = controller(0.0, 1e9);
    }

    private AdmissionController controller(double openFraction, double permitsPerSecond) {
        // Never ticked here, so the open fraction stays where it starts.
        CohortPlan plan = CohortPlan.create(
                List.of(ClassPlan.ramped("everyone", RampShape.Steps.of(1.0, Duration.ZERO), openFraction)),
                RampPolicy.ofDefaults(),
                clock);
        return AdmissionController.builder(plan, clock)
                .newClientRate(permitsPerSecond, permitsPerSecond)
                .admitted(clients * 2, Duration.ofHours(1))
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

        int advance() {
            return next++ & MASK;
        }
    }

    @Benchmark
    public Decision admitted(Cursor cursor) {
        return open.decide(admittedKeys[cursor.advance()], 0, clock.nanoTime());
    }

    @Benchmark
    public Boolean mapBaseline(Cursor cursor) {
        return map.get(admittedKeys[cursor.advance()]);
    }

    @Benchmark
    public Decision newlyAdmitted(Cursor cursor) {
        // Each key is new the first time round; later rounds find it admitted, so this measures the
        // new path only while the admitted set still lacks the key. The set is cleared per iteration.
        return open.decide(newKeys[cursor.advance()], 0, clock.nanoTime());
    }

    @Benchmark
    public Decision waiting(Cursor cursor) {
        return closed.decide(newKeys[cursor.advance()], 0, clock.nanoTime());
    }
}
