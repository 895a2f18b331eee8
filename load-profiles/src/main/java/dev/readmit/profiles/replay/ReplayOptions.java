package dev.readmit.profiles.replay;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to replay a profile: the target and the transforms and bounds of the run. Immutable; build with
 * {@link #builder(URI)}. Thread safe.
 *
 * @param target base URL ({@code http://host:port}); request paths are appended to its path. {@code
 *     ws://} and {@code tcp://} are accepted as spellings of the same address (the profile's {@code
 *     transport} decides what each client speaks)
 * @param runName name of the run in the result (e.g. {@code direct}, {@code through readmit})
 * @param speed time compression, &gt; 0
 * @param scale client multiplier, &gt; 0
 * @param cloneSpread spread of clone time offsets when scaling a recorded profile up
 * @param duration hard cap of the run; {@code null} derives it from the plan plus {@code grace}
 * @param grace added to the plan's length when {@code duration} is null
 * @param maxConnections cap of open connections over the whole run, HTTP, WebSocket and TCP alike
 * @param maxConnectionsPerClient cap of the connections one client holds at a time ({@code per_client}
 *     and {@code per_request} profiles); a request due while all of them are busy waits for one and is
 *     counted late, its latency still running from its intended time. {@link Integer#MAX_VALUE}, the
 *     default, never makes a request wait for its own client's connections
 * @param requestTimeout a request unanswered after this long (from its send) is a timeout
 * @param interval reporting interval of the progress line, the {@code .hlog} and the result points
 * @param ioThreads event-loop threads
 * @param warmup requests intended in this first part of the run are sent and answered as planned but
 *     left out of every figure (latency, send lag, outcomes, requests sent and planned), so that the
 *     generator's own start (connections opening, code not yet compiled) is not measured; zero, the
 *     default, measures everything
 * @param histogramLog where to write the interval histograms ({@code .hlog}), or null
 * @param progress receives one progress line per interval, or null for none
 */
public record ReplayOptions(
        URI target,
        String runName,
        double speed,
        double scale,
        Duration cloneSpread,
        Duration duration,
        Duration grace,
        int maxConnections,
        int maxConnectionsPerClient,
        Duration requestTimeout,
        Duration interval,
        int ioThreads,
        Duration warmup,
        Path histogramLog,
        Consumer<String> progress) {

    public ReplayOptions {
        Objects.requireNonNull(target, "target");
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("ws") || scheme.equals("tcp")) || target.getHost() == null) {
            throw new IllegalArgumentException(
                    "target must be an http://host[:port] URL (or ws://, tcp://), got " + target);
        }
        check(speed > 0 && Double.isFinite(speed), "speed", speed, "> 0");
        check(scale > 0 && Double.isFinite(scale), "scale", scale, "> 0");
        check(maxConnections > 0, "maxConnections", maxConnections, ">= 1");
        check(maxConnectionsPerClient > 0, "maxConnectionsPerClient", maxConnectionsPerClient, ">= 1");
        check(ioThreads > 0, "ioThreads", ioThreads, ">= 1");
        check(warmup != null && !warmup.isNegative(), "warmup", warmup, ">= 0");
        check(!interval.isNegative() && !interval.isZero(), "interval", interval, "> 0");
        check(!requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout", requestTimeout, "> 0");
        check(duration == null || !duration.isNegative() && !duration.isZero(), "duration", duration, "> 0");
    }

    private static void check(boolean ok, String field, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(field + " must be " + allowed + ", got " + value);
        }
    }

    /** A builder with the defaults: speed 1, scale 1, 30 s grace and timeout, 1 s interval. */
    public static Builder builder(URI target) {
        return new Builder(target);
    }

    /** Builder of {@link ReplayOptions}. Not thread safe. */
    public static final class Builder {
        private final URI target;
        private String runName = "replay";
        private double speed = 1;
        private double scale = 1;
        private Duration cloneSpread = Duration.ofSeconds(1);
        private Duration duration;
        private Duration grace = Duration.ofSeconds(30);
        private int maxConnections = 10_000;
        private int maxConnectionsPerClient = Integer.MAX_VALUE;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration interval = Duration.ofSeconds(1);
        private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private Duration warmup = Duration.ZERO;
        private Path histogramLog;
        private Consumer<String> progress;

        private Builder(URI target) {
            this.target = target;
        }

        public Builder runName(String v) {
            runName = Objects.requireNonNull(v);
            return this;
        }

        public Builder speed(double v) {
            speed = v;
            return this;
        }

        public Builder scale(double v) {
            scale = v;
            return this;
        }

        public Builder cloneSpread(Duration v) {
            cloneSpread = Objects.requireNonNull(v);
            return this;
        }

        /** Hard cap of the run; null derives it from the plan. */
        public Builder duration(Duration v) {
            duration = v;
            return this;
        }

        public Builder grace(Duration v) {
            grace = Objects.requireNonNull(v);
            return this;
        }

        public Builder maxConnectionsPerClient(int v) {
            maxConnectionsPerClient = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = Objects.requireNonNull(v);
            return this;
        }

        public Builder interval(Duration v) {
            interval = Objects.requireNonNull(v);
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        /** Leaves requests intended in the first {@code v} of the run out of every figure. */
        public Builder warmup(Duration v) {
            warmup = Objects.requireNonNull(v);
            return this;
        }

        public Builder histogramLog(Path v) {
            histogramLog = v;
            return this;
        }

        public Builder progress(Consumer<String> v) {
            progress = v;
            return this;
        }

        public ReplayOptions build() {
            return new ReplayOptions(
                    target,
                    runName,
                    speed,
                    scale,
                    cloneSpread,
                    duration,
                    grace,
                    maxConnections,
                    maxConnectionsPerClient,
                    requestTimeout,
                    interval,
                    ioThreads,
                    warmup,
                    histogramLog,
                    progress);
        }
    }
}
