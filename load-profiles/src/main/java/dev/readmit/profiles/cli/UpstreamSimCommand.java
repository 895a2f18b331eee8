package dev.readmit.profiles.cli;

import dev.readmit.profiles.sim.DurationText;
import dev.readmit.profiles.sim.ServiceTimeDistribution;
import dev.readmit.profiles.sim.SimConfig;
import dev.readmit.profiles.sim.SimStats;
import dev.readmit.profiles.sim.UpstreamSimulator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code readmit upstream-sim}: runs a {@link UpstreamSimulator} until the process is stopped (SIGTERM or
 * Ctrl-C), logging its settings at start, its counters every {@code --stats-every}, and the final
 * counters at stop.
 *
 * <p>Give the capacity, the service time, or both when they agree: {@code capacity = workers / mean
 * service time}. With {@code --capacity} only, service times are lognormal (sigma 0.5) around the derived
 * mean; with a {@code --service-time} kind but no mean (e.g. {@code exponential}), the mean is derived.
 *
 * <p>Exit codes: 0 stopped normally, 1 could not start (e.g. the address is in use), 2 bad usage.
 */
@Command(
        name = "upstream-sim",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a simulated upstream service of fixed capacity that degrades like a real one when overloaded:"
                    + " a pool of workers, a FIFO queue that grows, latency that climbs with it, 503/504 on"
                    + " timeouts, 503 at once beyond the queue limit, and optionally a collapse of throughput.",
            "Capacity (requests/s) = workers / mean service time. GET /__sim/stats returns its counters as JSON.",
            "WebSocket upgrades on any path are served: each message goes through the same model and is answered"
                    + " with a text frame \"<status> <reason>\". --tcp-listen adds a raw TCP line service."
        })
public final class UpstreamSimCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSimCommand.class);
    private static final double AGREEMENT = 0.01;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:8081",
            description = "Address to listen on (port 0 picks one). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(
            names = "--tcp-listen",
            paramLabel = "HOST:PORT",
            description = "Also serve raw TCP lines here (port 0 picks one): a greeting line on connect, then one"
                    + " answer line per line received, through the same capacity model. Default: off.")
    String tcpListen;

    @Option(
            names = "--capacity",
            paramLabel = "RPS",
            description = "Requests per second it serves when saturated; derives the mean service time.")
    Double capacity;

    @Option(names = "--workers", paramLabel = "N", required = true, description = "Requests served at once.")
    int workers;

    @Option(
            names = "--service-time",
            paramLabel = "DIST",
            description = "Service time per request: 16ms, constant:16ms, uniform:min=10ms,max=22ms,"
                    + " exponential:16ms, lognormal:mean=16ms,sigma=0.5; a kind without a mean takes it from"
                    + " --capacity. Default with --capacity: lognormal.")
    String serviceTime;

    @Option(
            names = "--queue-limit",
            paramLabel = "N",
            defaultValue = "" + SimConfig.DEFAULT_QUEUE_LIMIT,
            description = "Requests that may wait for a worker; more get 503 at once. Default: ${DEFAULT-VALUE}.")
    int queueLimit;

    @Option(
            names = "--timeout",
            paramLabel = "D",
            defaultValue = "5s",
            description = "From arrival: still queued -> 503, still in service -> 504. Default: ${DEFAULT-VALUE}.")
    String timeout;

    @Option(
            names = "--collapse",
            paramLabel = "FACTOR",
            defaultValue = "0",
            description = "Stretch each service time by 1 + FACTOR * queue length / workers, so throughput falls"
                    + " under overload (0 = off). Default: ${DEFAULT-VALUE}.")
    double collapse;

    @Option(names = "--io-threads", paramLabel = "N", description = "Netty event-loop threads. Default: min(2, cores).")
    Integer ioThreads;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "" + SimConfig.DEFAULT_SEED,
            description = "Seed of the service-time draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--stats-every",
            paramLabel = "D",
            defaultValue = "10s",
            description =
                    "Log the counters this often when they changed (0s = only at stop). Default: ${DEFAULT-VALUE}.")
    String statsEvery;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<UpstreamSimulator> started = new CompletableFuture<>();
    private volatile Thread shutdownHook;

    @Override
    public Integer call() {
        SimConfig config = toConfig();
        Duration statsInterval = duration("--stats-every", statsEvery, true);
        UpstreamSimulator simulator;
        try {
            simulator = UpstreamSimulator.start(config);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("upstream-sim: " + e.getMessage());
            started.completeExceptionally(e);
            return 1;
        }
        InetSocketAddress address = simulator.address();
        String host = address.getAddress().getHostAddress();
        if (simulator.tcpAddress() != null) {
            log.info(
                    "upstream-sim serving raw TCP lines on {}:{}",
                    simulator.tcpAddress().getAddress().getHostAddress(),
                    simulator.tcpAddress().getPort());
        }
        log.info(
                "upstream-sim listening on {}:{}: {}; stats at http://{}:{}/__sim/stats",
                host,
                address.getPort(),
                config.describe(),
                host,
                address.getPort());
        ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "readmit-sim-stats");
            thread.setDaemon(true);
            return thread;
        });
        if (!statsInterval.isZero()) {
            AtomicReference<SimStats> lastLogged = new AtomicReference<>();
            statsLogger.scheduleAtFixedRate(
                    () -> {
                        // An idle simulator would repeat the same line forever: log changes only.
                        SimStats now = simulator.stats();
                        if (!now.equals(lastLogged.getAndSet(now))) {
                            log.info("upstream-sim {}", line(now));
                        }
                    },
                    statsInterval.toNanos(),
                    statsInterval.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        Thread hook = new Thread(() -> stop(simulator, statsLogger), "readmit-sim-shutdown");
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
        started.complete(simulator);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(simulator, statsLogger);
        }
        return 0;
    }

    /** Completes with the running simulator once it listens; for callers that run the command in-process. */
    CompletableFuture<UpstreamSimulator> started() {
        return started;
    }

    /** Stops the running simulator as SIGTERM would, and lets {@link #call()} return 0. */
    void stop() {
        UpstreamSimulator simulator = started.getNow(null);
        if (simulator != null) {
            Thread hook = shutdownHook;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running or about to: it stops the simulator itself.
                return;
            }
            hook.run();
        }
    }

    private synchronized void stop(UpstreamSimulator simulator, ScheduledExecutorService statsLogger) {
        if (stopped.getCount() == 0) {
            return;
        }
        statsLogger.shutdownNow();
        SimStats last = simulator.stats();
        simulator.close();
        log.info("upstream-sim stopped: {}", line(last));
        stopped.countDown();
    }

    private static String line(SimStats s) {
        return String.format(
                Locale.ROOT,
                "received %d, served %d, rejected %d, timed out %d (queue %d, service %d), in flight %d (max %d),"
                        + " queued %d (max %d), body bytes %d",
                s.received(),
                s.served(),
                s.rejected(),
                s.timedOut(),
                s.queueTimeouts(),
                s.serviceTimeouts(),
                s.inFlight(),
                s.maxInFlight(),
                s.queueLength(),
                s.maxQueueLength(),
                s.bodyBytes());
    }

    /**
     * The simulator's configuration from the options.
     *
     * @throws ParameterException naming the option at fault and what is allowed
     */
    SimConfig toConfig() {
        if (workers < 1) {
            throw usage("--workers must be at least 1, got " + workers);
        }
        if (capacity != null && !(capacity > 0 && !capacity.isInfinite())) {
            throw usage("--capacity must be a positive number of requests/s, got " + capacity);
        }
        if (capacity == null && serviceTime == null) {
            throw usage("give --capacity RPS or --service-time DIST (or both, if they agree):"
                    + " capacity = workers / mean service time");
        }
        ServiceTimeDistribution distribution;
        try {
            Duration derivedMean = capacity == null ? null : ServiceTimeDistribution.meanFor(capacity, workers);
            distribution = serviceTime == null
                    ? ServiceTimeDistribution.lognormal(derivedMean, ServiceTimeDistribution.DEFAULT_SIGMA)
                    : ServiceTimeDistribution.parse(serviceTime, derivedMean);
            if (derivedMean != null) {
                double ratio = distribution.meanNanos() / derivedMean.toNanos();
                if (Math.abs(ratio - 1) > AGREEMENT) {
                    throw usage(String.format(
                            Locale.ROOT,
                            "--capacity %s with --workers %d needs a mean service time of %s, but --service-time %s"
                                    + " has a mean of %s (capacity %.1f req/s): give one of them, or a service-time"
                                    + " kind without a mean (e.g. --service-time exponential)",
                            stripZeros(capacity),
                            workers,
                            DurationText.format(derivedMean),
                            serviceTime,
                            DurationText.format(Duration.ofNanos(Math.round(distribution.meanNanos()))),
                            workers * 1e9 / distribution.meanNanos()));
                }
            }
        } catch (IllegalArgumentException e) {
            throw usage("--service-time: " + e.getMessage());
        }
        SimConfig.Builder builder = SimConfig.builder()
                .listen(address("--listen", listen))
                .workers(workers)
                .serviceTime(distribution)
                .queueLimit(queueLimit)
                .timeout(duration("--timeout", timeout, false))
                .collapseFactor(collapse)
                .seed(seed);
        if (ioThreads != null) {
            builder.ioThreads(ioThreads);
        }
        if (tcpListen != null) {
            builder.tcpListen(address("--tcp-listen", tcpListen));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage()
                    .replace("queueLimit:", "--queue-limit:")
                    .replace("collapseFactor:", "--collapse:")
                    .replace("ioThreads:", "--io-threads:")
                    .replace("timeout:", "--timeout:"));
        }
    }

    private static String stripZeros(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private Duration duration(String option, String text, boolean zeroAllowed) {
        Duration value;
        try {
            value = DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
        if (value.isZero() && !zeroAllowed) {
            throw usage(option + " must be positive, got " + text);
        }
        return value;
    }

    private InetSocketAddress address(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw usage(option + " must be HOST:PORT (e.g. 127.0.0.1:8081, [::1]:8081, 0.0.0.0:0), got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw usage(option + " port must be a number from 0 to 65535, got '" + text.substring(colon + 1) + "'");
        }
        if (port < 0 || port > 65535) {
            throw usage(option + " port must be from 0 to 65535, got " + port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw usage(option + " host '" + host + "' does not resolve to an address");
        }
        return address;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
