package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.report.IntervalPoint;
import dev.readmit.profiles.report.RunResult;
import dev.readmit.profiles.report.RunSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The open-loop replayer: plays a profile against a target and measures what its clients would see.
 *
 * <p>Every request is sent at its intended time whatever happened to the earlier ones; a request whose
 * client's connections are busy gets a new connection (or, at the connection cap, waits and is counted
 * late). Latency runs from the intended time, so a stall of the target shows up in full instead of
 * being hidden by coordinated omission. Latencies go into HdrHistogram recorders per class and outcome;
 * every interval the calling thread swaps them out, writes them to the {@code .hlog} (tag {@code
 * class/outcome}, microseconds) and to one {@link IntervalPoint}, and emits a progress line.
 *
 * <p>The run ends when every client has finished its session, or at the duration cap (default: the
 * plan's length plus the grace period). {@code run} blocks the calling thread for the run; it is
 * thread safe (each call is independent).
 */
public final class Replayer {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final long LEAD_NANOS = 200_000_000L;

    private Replayer() {}

    /** Replays {@code profile} and returns what the report draws. */
    public static RunResult run(Profile profile, ReplayOptions options) throws IOException, InterruptedException {
        return runDetailed(profile, options).result();
    }

    /** Replays {@code profile} and returns the result with the generator's own figures. */
    public static ReplayRun runDetailed(Profile profile, ReplayOptions options)
            throws IOException, InterruptedException {
        ReplayPlan plan = PlanBuilder.build(
                profile, options.speed(), options.scale(), options.cloneSpread().toNanos() / 1e6);
        return run(plan, options);
    }

    /** Replays an already built plan ({@code options}' speed and scale are not applied again). */
    public static ReplayRun run(ReplayPlan plan, ReplayOptions options) throws IOException, InterruptedException {
        List<String> classes = new ArrayList<>(new TreeSet<>(
                plan.clients().stream().map(PlannedClient::className).toList()));
        if (classes.isEmpty()) {
            classes.add("default");
        }
        Map<String, Integer> classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        Duration cap = options.duration() != null
                ? options.duration()
                : Duration.ofNanos(plan.endNanos()).plus(options.grace());
        long clientsWithRequests =
                plan.clients().stream().filter(c -> !c.requests().isEmpty()).count();
        Sampler sampler = new Sampler(classes, options);
        try (ReplayEngine engine = new ReplayEngine(plan, options, classes)) {
            long wallStartMillis = System.currentTimeMillis() + LEAD_NANOS / 1_000_000;
            engine.start(classIndex, LEAD_NANOS);
            long start = engine.startNanos();
            sampler.open(wallStartMillis);
            long intervalNanos = options.interval().toNanos();
            long deadline = start + cap.toNanos();
            long tick = start;
            while (true) {
                tick += intervalNanos;
                long wake = Math.min(tick, deadline);
                for (long now = System.nanoTime(); now < wake; now = System.nanoTime()) {
                    LockSupport.parkNanos(wake - now);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("replay interrupted");
                    }
                }
                boolean allDone = engine.stats.finished.get() + engine.stats.gaveUp.get()
                                >= plan.clients().size()
                        && engine.stats.completed() >= engine.stats.sent();
                boolean overdue = System.nanoTime() >= deadline;
                sampler.sample(
                        engine.stats, (wake - start) / 1e9, plan.clients().size());
                if (allDone || overdue) {
                    break;
                }
            }
            engine.close();
            return sampler.finish(engine.stats, start, plan, clientsWithRequests);
        } finally {
            sampler.closeLog();
        }
    }

    /** Reads the recorders every interval; used only on the thread that called {@code run}. */
    private static final class Sampler {
        private final List<String> classes;
        private final ReplayOptions options;
        private final Map<String, Histogram> totals = new LinkedHashMap<>();
        private final Histogram totalLag = new Histogram(ReplayStats.HIGHEST_MICROS, 3);
        private final Map<String, Histogram> interval = new HashMap<>();
        private final Histogram intervalLag = new Histogram(ReplayStats.HIGHEST_MICROS, 3);
        private final List<IntervalPoint> points = new ArrayList<>();
        private PrintStream logStream;
        private HistogramLogWriter log;
        private long wallStartMillis;
        private double lastSeconds;
        private long lastSent;

        Sampler(List<String> classes, ReplayOptions options) {
            this.classes = classes;
            this.options = options;
            for (String c : classes) {
                for (Outcome o : Outcome.values()) {
                    totals.put(tag(c, o), new Histogram(ReplayStats.HIGHEST_MICROS, 3));
                }
            }
        }

        void open(long wallStartMillis) throws IOException {
            this.wallStartMillis = wallStartMillis;
            if (options.histogramLog() == null) {
                return;
            }
            if (options.histogramLog().getParent() != null) {
                Files.createDirectories(options.histogramLog().getParent());
            }
            logStream = new PrintStream(Files.newOutputStream(options.histogramLog()), false, "UTF-8");
            log = new HistogramLogWriter(logStream);
            log.outputComment("readmit replay \"" + options.runName() + "\" against " + options.target()
                    + "; values in microseconds from each request's intended send time; tag = class/outcome,"
                    + " generator/lag = send lateness");
            log.outputLogFormatVersion();
            log.outputStartTime(wallStartMillis);
            log.setBaseTime(wallStartMillis);
            log.outputLegend();
        }

        void sample(ReplayStats stats, double endSeconds, int clients) {
            Histogram latency = new Histogram(ReplayStats.HIGHEST_MICROS, 3);
            long requests = 0;
            long errors = 0;
            long waiting = 0;
            for (int c = 0; c < classes.size(); c++) {
                for (Outcome o : Outcome.values()) {
                    String tag = tag(classes.get(c), o);
                    Histogram h = interval.computeIfAbsent(tag, t -> new Histogram(ReplayStats.HIGHEST_MICROS, 3));
                    stats.intervalLatency(c, o, h);
                    long n = h.getTotalCount();
                    if (n > 0) {
                        totals.get(tag).add(h);
                        requests += n;
                        if (o.isError()) {
                            errors += n;
                        }
                        if (o.isWaiting()) {
                            waiting += n;
                        }
                        if (o.countsForLatency()) {
                            latency.add(h);
                        }
                        writeLog(h, tag, endSeconds);
                    }
                }
            }
            Histogram lag = intervalLag;
            stats.intervalLag(lag);
            totalLag.add(lag);
            if (lag.getTotalCount() > 0) {
                writeLog(lag, "generator/lag", endSeconds);
            }
            long admitted = stats.admitted.get();
            points.add(new IntervalPoint(
                    lastSeconds,
                    requests,
                    errors,
                    waiting,
                    millis(latency, 50),
                    millis(latency, 99),
                    millis(latency, 99.9),
                    maxMillis(latency),
                    admitted));
            if (options.progress() != null) {
                long sent = stats.sent();
                double span = Math.max(1e-9, endSeconds - lastSeconds);
                options.progress()
                        .accept(String.format(
                                Locale.ROOT,
                                "[%6.1fs] sent %d (%.0f/s) answers %d (%.0f/s) waiting %d errors %d | p50 %s p99 %s max %s"
                                        + " | admitted %d/%d conns %d late %d",
                                endSeconds,
                                sent,
                                (sent - lastSent) / span,
                                requests,
                                requests / span,
                                waiting,
                                errors,
                                ms(millis(latency, 50)),
                                ms(millis(latency, 99)),
                                ms(maxMillis(latency)),
                                admitted,
                                clients,
                                stats.openConnections.get(),
                                stats.lateForConnection.sum()));
                lastSent = sent;
            }
            lastSeconds = endSeconds;
        }

        private void writeLog(Histogram h, String tag, double endSeconds) {
            if (log == null) {
                return;
            }
            h.setTag(tag);
            h.setStartTimeStamp(wallStartMillis + Math.round(lastSeconds * 1000));
            h.setEndTimeStamp(wallStartMillis + Math.round(endSeconds * 1000));
            log.outputIntervalHistogram(h);
        }

        ReplayRun finish(ReplayStats stats, long startNanos, ReplayPlan plan, long clientsWithRequests) {
            Map<String, Long> responses = new TreeMap<>();
            Histogram all = new Histogram(ReplayStats.HIGHEST_MICROS, 3);
            Map<String, Map<String, Double>> byClass = new TreeMap<>();
            for (String c : classes) {
                Histogram cls = new Histogram(ReplayStats.HIGHEST_MICROS, 3);
                for (Outcome o : Outcome.values()) {
                    Histogram h = totals.get(tag(c, o));
                    if (h.getTotalCount() > 0) {
                        responses.merge(o.label(), h.getTotalCount(), Long::sum);
                    }
                    if (o.countsForLatency()) {
                        cls.add(h);
                    }
                }
                all.add(cls);
                byClass.put(c, percentiles(cls));
            }
            // From the sampled totals: outcomes recorded while the run was being torn down count as unanswered.
            long answered =
                    responses.values().stream().mapToLong(Long::longValue).sum();
            long unanswered = stats.measuredSent() - answered;
            if (unanswered > 0) {
                responses.put("unanswered", unanswered);
            }
            long lastCompletion = stats.lastCompletionNanos();
            double duration = lastCompletion == Long.MIN_VALUE ? 0 : (lastCompletion - startNanos) / 1e9;
            int admitted = stats.admitted.get();
            double allAdmitted = admitted >= clientsWithRequests && admitted > 0
                    ? (stats.lastAdmittedNanos.get() - startNanos) / 1e9
                    : Double.NaN;
            double allFinished = stats.finished.get() >= plan.clients().size() && stats.gaveUp.get() == 0
                    ? Math.max(0, (stats.lastFinishedNanos.get() - startNanos) / 1e9)
                    : Double.NaN;
            RunSummary summary = new RunSummary(
                    duration,
                    stats.measuredSent(),
                    responses,
                    percentiles(all),
                    plan.clients().size(),
                    admitted,
                    allAdmitted,
                    allFinished);
            RunResult result = new RunResult(options.runName(), options.target().toString(), points, summary, byClass);
            Map<String, Histogram> nonEmpty = new LinkedHashMap<>();
            totals.forEach((k, v) -> {
                if (v.getTotalCount() > 0) {
                    nonEmpty.put(k, v);
                }
            });
            return new ReplayRun(
                    result,
                    totalLag,
                    stats.minLagNanos.get(),
                    stats.lateForConnection.sum(),
                    stats.connectionsOpened.sum(),
                    stats.gaveUp.get(),
                    nonEmpty,
                    plannedAfter(plan, options.warmup().toNanos()));
        }

        private static long plannedAfter(ReplayPlan plan, long warmupNanos) {
            if (warmupNanos == 0) {
                return plan.requestCount();
            }
            long n = 0;
            for (PlannedClient c : plan.clients()) {
                for (PlannedRequest r : c.requests()) {
                    if (r.atNanos() >= warmupNanos) {
                        n++;
                    }
                }
            }
            return n;
        }

        void closeLog() {
            if (logStream != null) {
                logStream.close();
            }
        }

        private static Map<String, Double> percentiles(Histogram h) {
            Map<String, Double> out = new LinkedHashMap<>();
            for (double p : PERCENTILES) {
                out.put("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)), millis(h, p));
            }
            out.put("max", maxMillis(h));
            return out;
        }

        private static double millis(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }

        private static double maxMillis(Histogram h) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
        }

        private static String ms(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1fms", v);
        }

        private static String tag(String cls, Outcome o) {
            return cls.replaceAll("[\\s,]", "_") + "/" + o.label();
        }
    }
}
