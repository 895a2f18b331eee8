package dev.readmit.profiles.sim;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of a {@link UpstreamSimulator}: its capacity model and where it listens.
 *
 * <p>The model: {@link #workers()} virtual workers serve requests one at a time each, for a time drawn from
 * {@link #serviceTime()}; the others wait in a FIFO queue of at most {@link #queueLimit()} requests. So the
 * capacity is {@code C = workers / mean service time} requests per second (see
 * {@link #capacityPerSecond()}). A request still queued {@link #timeout()} after it arrived gets {@code 503};
 * one whose service would end after that deadline gets {@code 504} at the deadline (its worker stays busy to
 * the end, as a real server finishes work nobody waits for any more). With a {@link #collapseFactor()}
 * {@code f > 0}, each service time is stretched by {@code 1 + f * queueLength / workers}, measured when the
 * worker takes the request, so useful throughput falls as the queue grows, as with thrashing or lock
 * contention: under a full queue it is about {@code C / (1 + f * queueLimit / workers)}.
 *
 * <p>Immutable and thread safe. Built with {@link #builder()}; every problem is reported at once by
 * {@link Builder#build()}.
 */
public final class SimConfig {

    /** Queue limit when none is given. */
    public static final int DEFAULT_QUEUE_LIMIT = 1_000;

    /** Request timeout when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Random seed when none is given: runs draw the same service times in the same order. */
    public static final long DEFAULT_SEED = 42;

    private final InetSocketAddress listen;
    private final InetSocketAddress tcpListen;
    private final int workers;
    private final ServiceTimeDistribution serviceTime;
    private final int queueLimit;
    private final Duration timeout;
    private final double collapseFactor;
    private final int ioThreads;
    private final long seed;

    private SimConfig(Builder builder) {
        this.listen = builder.listen;
        this.tcpListen = builder.tcpListen;
        this.workers = builder.workers;
        this.serviceTime = builder.serviceTime;
        this.queueLimit = builder.queueLimit;
        this.timeout = builder.timeout;
        this.collapseFactor = builder.collapseFactor;
        this.ioThreads = builder.ioThreads;
        this.seed = builder.seed;
    }

    /** A builder with the defaults; {@code workers} and {@code serviceTime} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Address to listen on; port 0 picks a free port (see {@link UpstreamSimulator#port()}). */
    public InetSocketAddress listen() {
        return listen;
    }

    /**
     * Address of the raw TCP line service (greeting on connect, one answer line per line, through the same
     * model), or null when it is off. Port 0 picks a free port (see {@link UpstreamSimulator#tcpPort()}).
     */
    public InetSocketAddress tcpListen() {
        return tcpListen;
    }

    /** Requests served at the same time, at least 1. */
    public int workers() {
        return workers;
    }

    /** Time a worker is busy with one request, before any collapse stretch. */
    public ServiceTimeDistribution serviceTime() {
        return serviceTime;
    }

    /** Requests that may wait for a worker; beyond it a request gets {@code 503} at once. 0 = no queue. */
    public int queueLimit() {
        return queueLimit;
    }

    /** Time from a request's arrival (its body fully received) after which it is answered 503 or 504. */
    public Duration timeout() {
        return timeout;
    }

    /** Collapse stretch per queued request per worker; 0 = no collapse. */
    public double collapseFactor() {
        return collapseFactor;
    }

    /** Netty event-loop threads for the sockets. */
    public int ioThreads() {
        return ioThreads;
    }

    /** Seed of the service-time draws. */
    public long seed() {
        return seed;
    }

    /** {@code workers / mean service time}: requests per second served when always busy, without collapse. */
    public double capacityPerSecond() {
        return workers * 1e9 / serviceTime.meanNanos();
    }

    /** One line for logs: every setting and the capacity. */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "%d workers, service time %s, capacity %.1f req/s, queue limit %d, timeout %s, collapse %s",
                workers,
                serviceTime.describe(),
                capacityPerSecond(),
                queueLimit,
                DurationText.format(timeout),
                collapseFactor == 0 ? "off" : "factor " + collapseFactor);
    }

    @Override
    public String toString() {
        return "SimConfig[" + listen + (tcpListen == null ? "" : ", tcp " + tcpListen) + ", " + describe()
                + ", ioThreads " + ioThreads + ", seed " + seed + "]";
    }

    /**
     * Builds a {@link SimConfig}. Each option may be set once: setting one twice is a mistake in the caller
     * and throws {@link IllegalStateException}. Not thread safe.
     */
    public static final class Builder {
        private final List<String> setOnce = new ArrayList<>();
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        private InetSocketAddress tcpListen;
        private int workers;
        private ServiceTimeDistribution serviceTime;
        private int queueLimit = DEFAULT_QUEUE_LIMIT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private double collapseFactor;
        private int ioThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private long seed = DEFAULT_SEED;

        private Builder() {}

        private void once(String field, Object value) {
            if (setOnce.contains(field)) {
                throw new IllegalStateException(field + " was already set; cannot set it again to " + value);
            }
            setOnce.add(field);
        }

        /** Default {@code 127.0.0.1:0}. */
        public Builder listen(InetSocketAddress value) {
            once("listen", value);
            listen = value;
            return this;
        }

        /** Default null: no raw TCP line service. */
        public Builder tcpListen(InetSocketAddress value) {
            once("tcpListen", value);
            tcpListen = value;
            return this;
        }

        /** Required, at least 1. */
        public Builder workers(int value) {
            once("workers", value);
            workers = value;
            return this;
        }

        /** Required. */
        public Builder serviceTime(ServiceTimeDistribution value) {
            once("serviceTime", value);
            serviceTime = value;
            return this;
        }

        /** Default {@value SimConfig#DEFAULT_QUEUE_LIMIT}; 0 rejects whatever finds every worker busy. */
        public Builder queueLimit(int value) {
            once("queueLimit", value);
            queueLimit = value;
            return this;
        }

        /** Default 5 s; must be positive. */
        public Builder timeout(Duration value) {
            once("timeout", value);
            timeout = value;
            return this;
        }

        /** Default 0 (off); must be finite and not negative. */
        public Builder collapseFactor(double value) {
            once("collapseFactor", value);
            collapseFactor = value;
            return this;
        }

        /** Default {@code min(2, processors)}. */
        public Builder ioThreads(int value) {
            once("ioThreads", value);
            ioThreads = value;
            return this;
        }

        /** Default {@value SimConfig#DEFAULT_SEED}. */
        public Builder seed(long value) {
            once("seed", value);
            seed = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException listing every invalid field, its value and what is allowed
         */
        public SimConfig build() {
            List<String> problems = new ArrayList<>();
            if (listen == null) {
                problems.add("listen: an address is required");
            }
            if (workers < 1) {
                problems.add("workers: must be at least 1, got " + workers);
            }
            if (serviceTime == null) {
                problems.add("serviceTime: required (e.g. ServiceTimeDistribution.lognormal(16ms, 0.5))");
            }
            if (queueLimit < 0) {
                problems.add("queueLimit: must be 0 or more, got " + queueLimit);
            }
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                problems.add("timeout: must be positive, got " + timeout);
            }
            if (!(collapseFactor >= 0) || Double.isInfinite(collapseFactor)) {
                problems.add("collapseFactor: must be 0 (off) or a positive number, got " + collapseFactor);
            }
            if (ioThreads < 1) {
                problems.add("ioThreads: must be at least 1, got " + ioThreads);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid simulated upstream config: " + String.join("; ", problems));
            }
            return new SimConfig(this);
        }
    }
}
