package dev.readmit.cli;

import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.SimStats;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The simulated service that {@code readmit demo} and {@code readmit bench storm} put behind the
 * gateway: its configuration from a capacity and a worker count, and the bookkeeping both commands do
 * around it (waiting for it to drain between runs, counting what one run did to it, printing that).
 * Stateless; thread safe.
 */
final class SimulatedService {

    private SimulatedService() {}

    /**
     * A simulator on a loopback ephemeral port with {@code workers} workers whose log-normal service
     * time has mean {@code workers / capacity}, a queue of 64 requests per worker, a 5 s deadline and
     * throughput that collapses by half under overload (the way real services degrade).
     *
     * @param capacityPerSecond requests per second it can serve, &gt; 0
     * @param workers concurrent requests it serves, &ge; 1
     */
    static SimConfig config(double capacityPerSecond, int workers) {
        return config(capacityPerSecond, workers, 0.5);
    }

    /**
     * As {@link #config(double, int)} with another collapse factor: 0 for a service that queues and
     * times out under overload but does not lose throughput (the steady-state baseline, where one
     * stall of a shared machine must not tip a 60 %-loaded service into a collapse it never leaves).
     */
    static SimConfig config(double capacityPerSecond, int workers, double collapseFactor) {
        Duration meanService = Duration.ofNanos((long) (workers / capacityPerSecond * 1e9));
        return SimConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .workers(workers)
                .serviceTime(ServiceTimeDistribution.lognormal(meanService, ServiceTimeDistribution.DEFAULT_SIGMA))
                .queueLimit(workers * 64)
                .timeout(Duration.ofSeconds(5))
                .collapseFactor(collapseFactor)
                .build();
    }

    /** Waits (at most 10 s) until the simulator holds no open request, so runs do not overlap. */
    static void awaitIdle(UpstreamSimulator upstream) throws InterruptedException {
        for (int i = 0; i < 100 && upstream.stats().open() > 0; i++) {
            Thread.sleep(100);
        }
    }

    /** What happened between two snapshots: counters subtracted, gauges and peaks as of {@code after}. */
    static SimStats since(SimStats after, SimStats before) {
        return new SimStats(
                after.workers(),
                after.capacityPerSecond(),
                after.received() - before.received(),
                after.served() - before.served(),
                after.rejected() - before.rejected(),
                after.queueTimeouts() - before.queueTimeouts(),
                after.serviceTimeouts() - before.serviceTimeouts(),
                after.inFlight(),
                after.maxInFlight(),
                after.queueLength(),
                after.maxQueueLength(),
                after.open(),
                after.maxOpen(),
                after.bodyBytes() - before.bodyBytes());
    }

    /** Prints one line per run of what the upstream saw; {@code names} and {@code stats} pair up. */
    static void printUpstreamTable(PrintWriter out, List<String> names, List<SimStats> stats) {
        out.println("what the upstream saw:");
        out.printf(
                Locale.ROOT,
                "  %-18s %12s %12s %14s %14s%n",
                "run",
                "served",
                "timed out",
                "rejected(503)",
                "max in flight");
        for (int i = 0; i < names.size(); i++) {
            SimStats s = stats.get(i);
            out.printf(
                    Locale.ROOT,
                    "  %-18s %12d %12d %14d %14d%n",
                    names.get(i),
                    s.served(),
                    s.timedOut(),
                    s.rejected(),
                    s.maxOpen());
        }
    }
}
