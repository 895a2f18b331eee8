package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Plays one simulated client: fires each planned request at its intended time whatever happened to the
 * earlier ones (open loop), and on a waiting answer behaves as the profile says (waits {@code
 * Retry-After} and keeps its ticket, or retries at once or with backoff). Confined to one event loop:
 * its fields are touched only there, so none needs {@code volatile}.
 *
 * <p>A client is queued in its loop's {@link SendSchedule} for its next request only, so the requests
 * of a plan cost no timer each: the loop fires all clients due in the same tick together.
 */
final class ClientRunner {
    private final PlannedClient plan;
    /** The client key as {@link RequestWriter#identity} encodes it. */
    private final byte[] identity;

    private final int classIndex;
    private final LoopContext context;
    private final ReplayEngine engine;
    private final ConnectionPool pool;
    private final SplittableRandom random;
    private final boolean keepsTicket;
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private String ticket;
    /** Intended time of the request this client is queued for; set and read by {@link SendSchedule}. */
    long nextDueNanos;

    private long shiftNanos;
    private int nextIndex;
    private int unfinished;
    private boolean admitted;
    private boolean done;
    private boolean sessionOver;

    ClientRunner(PlannedClient plan, int classIndex, byte[] identity, LoopContext context) {
        this.plan = plan;
        this.identity = identity;
        this.classIndex = classIndex;
        this.context = context;
        this.engine = context.engine;
        this.pool = switch (plan.connection()) {
            case SHARED -> context.sharedPool;
            case PER_CLIENT -> new ConnectionPool(context, true, engine.maxConnectionsPerClient());
            case PER_REQUEST -> new ConnectionPool(context, false, engine.maxConnectionsPerClient());
        };
        this.random = new SplittableRandom(plan.seed());
        this.keepsTicket = plan.honoursRetryAfter() && engine.onReject().keepTicket();
        this.unfinished = plan.requests().size();
    }

    /** Called on the client's loop at the run start. */
    void start() {
        queueNext();
        scheduleEnd();
    }

    private long due(PlannedRequest r) {
        return engine.startNanos() + r.atNanos() + shiftNanos;
    }

    private void queueNext() {
        if (nextIndex < plan.requests().size()) {
            context.sendSchedule.add(this, due(plan.requests().get(nextIndex)));
        }
    }

    /** Called by the loop's {@link SendSchedule} once {@link #nextDueNanos} has passed. */
    void fireDue(long now) {
        if (done || engine.stopping()) {
            return;
        }
        PlannedRequest r = plan.requests().get(nextIndex);
        long due = due(r);
        if (due > now) {
            // A waiting answer moved this client's plan after it was queued.
            context.sendSchedule.add(this, due);
            return;
        }
        nextIndex++;
        send(new Attempt(this, r, 1, due), now);
        queueNext();
    }

    private void send(Attempt attempt, long now) {
        pool.submit(attempt, now);
    }

    private void scheduleEnd() {
        long delay = engine.startNanos() + plan.endNanos() + shiftNanos - System.nanoTime();
        context.loop.schedule(this::endSession, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    private void endSession() {
        long due = engine.startNanos() + plan.endNanos() + shiftNanos;
        if (due - System.nanoTime() > 500_000) {
            scheduleEnd();
            return;
        }
        sessionOver = true;
        finishIfDone();
    }

    /** Called on this client's loop when an attempt ended. */
    void completed(Attempt attempt, Outcome outcome, long retryAfterMillis, long now) {
        engine.stats.recordOutcome(context.index, classIndex, outcome, attempt.scheduledNanos(), now);
        if (done || engine.stopping()) {
            return;
        }
        if (outcome != Outcome.WAITING) {
            if (!admitted
                    && outcome != Outcome.CONNECT_FAILED
                    && outcome != Outcome.CLOSED
                    && outcome != Outcome.TIMEOUT) {
                admitted = true;
                engine.stats.recordAdmitted(now);
            }
            unfinished--;
            finishIfDone();
            return;
        }
        OnReject policy = engine.onReject();
        if (attempt.number() >= policy.maxAttempts()) {
            engine.stats.gaveUp.incrementAndGet();
            done = true;
            pool.closeIdle();
            return;
        }
        double delayMillis = plan.honoursRetryAfter() && retryAfterMillis >= 0
                ? retryAfterMillis
                : policy.otherwise().delayMillis(attempt.number(), random);
        long retryAt = now + Math.round(delayMillis * 1e6);
        // The client waits: its later requests move with it (it is the server's instruction, not omission).
        shiftNanos = Math.max(
                shiftNanos, retryAt - engine.startNanos() - attempt.request().atNanos());
        Attempt retry = new Attempt(this, attempt.request(), attempt.number() + 1, retryAt);
        context.loop.schedule(
                () -> {
                    if (!done && !engine.stopping()) {
                        send(retry, System.nanoTime());
                    }
                },
                retryAt - System.nanoTime(),
                TimeUnit.NANOSECONDS);
    }

    private void finishIfDone() {
        if (!done
                && sessionOver
                && unfinished == 0
                && nextIndex == plan.requests().size()) {
            done = true;
            if (pool != context.sharedPool) {
                pool.closeIdle();
            }
            engine.stats.recordFinished(System.nanoTime());
        }
    }

    /** Writes the head of {@code r} with the client key, and the ticket and cookies it keeps. */
    void writeHead(ByteBuf out, PlannedRequest r) {
        engine.requestWriter().writeHead(out, r, identity, ticket, cookies, !reusesConnections());
    }

    /** Keeps the ticket and cookies of an answer, if this client is one that keeps tickets. */
    void takeTicket(HttpHeaders h) {
        if (!keepsTicket) {
            return;
        }
        String t = h.get(TICKET_HEADER_NAME);
        if (t != null) {
            ticket = t;
        }
        if (!h.contains(HttpHeaderNames.SET_COOKIE)) {
            return;
        }
        for (String sc : h.getAll(HttpHeaderNames.SET_COOKIE)) {
            Cookie c = ClientCookieDecoder.LAX.decode(sc);
            if (c != null) {
                if (c.maxAge() == 0) {
                    cookies.remove(c.name());
                } else {
                    cookies.put(c.name(), c.value());
                }
            }
        }
    }

    boolean reusesConnections() {
        return plan.connection() != ConnectionMode.PER_REQUEST;
    }

    String key() {
        return plan.key();
    }

    private static final String TICKET_HEADER_NAME = ResponseHandler.TICKET_HEADER;
}
