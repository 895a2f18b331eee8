package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.ClientKeyPlacement;
import dev.readmit.profiles.format.ConnectionMode;
import dev.readmit.profiles.format.OnReject;
import dev.readmit.profiles.format.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>A WebSocket or raw TCP client ({@link PlannedClient#transport()}) holds one {@link MessageSession}
 * instead of a {@link ConnectionPool}: its first due message opens the connection, which is the attempt
 * the target admits or rejects (and which the {@code on_reject} rules retry); its messages go out on it
 * once admitted. The connection attempt is counted like a request (an outcome and a latency of its own).
 */
final class ClientRunner {
    private final PlannedClient plan;
    /** The client key as {@link RequestWriter#identity} encodes it. */
    private final byte[] identity;

    private final int classIndex;
    private final LoopContext context;
    private final ReplayEngine engine;
    /** The HTTP client's connections; null for a WebSocket or TCP client. */
    private final ConnectionPool pool;
    /** The WebSocket or TCP client's connection; null for an HTTP client. */
    private final MessageSession session;

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
        if (plan.transport() == Transport.HTTP) {
            this.session = null;
            this.pool = switch (plan.connection()) {
                case SHARED -> context.sharedPool;
                case PER_CLIENT -> new ConnectionPool(context, true, engine.maxConnectionsPerClient());
                case PER_REQUEST -> new ConnectionPool(context, false, engine.maxConnectionsPerClient());
            };
        } else {
            this.session = new MessageSession(this, context, plan.transport());
            this.pool = null;
        }
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
        if (session != null && !session.isOpen()) {
            // A message needs the connection: open it. This message and those falling due meanwhile wait in
            // the plan (their latency runs from their intended time) until it is admitted; on a rejection
            // the plan moves with the wait, as an HTTP client's does.
            if (session.isIdle()) {
                session.connect(new Attempt(this, r, 1, due));
            }
            return;
        }
        nextIndex++;
        send(new Attempt(this, r, 1, due), now);
        queueNext();
    }

    private void send(Attempt attempt, long now) {
        if (session == null) {
            pool.submit(attempt, now);
        } else if (session.isOpen()) {
            session.send(attempt, attempt.scheduledNanos(), now);
        } else {
            // A retried message (after a waiting answer to it) whose connection has gone meanwhile.
            engine.stats.recordSend(context.index, attempt.scheduledNanos(), now);
            completed(attempt, Outcome.CLOSED, -1, now);
        }
    }

    /** Called by {@link MessageSession} when the connection attempt {@code connect} was admitted at {@code now}. */
    void connected(Attempt connect, long now) {
        engine.stats.recordOutcome(context.index, classIndex, Outcome.OK, connect.scheduledNanos(), now);
        if (done || engine.stopping()) {
            return;
        }
        if (!admitted) {
            admitted = true;
            engine.stats.recordAdmitted(now);
        }
        while (nextIndex < plan.requests().size()) {
            PlannedRequest r = plan.requests().get(nextIndex);
            long due = due(r);
            if (due > now) {
                break;
            }
            nextIndex++;
            session.send(new Attempt(this, r, 1, due), now, now);
        }
        queueNext();
    }

    /**
     * Called by {@link MessageSession} when the connection attempt {@code connect} ended without admission:
     * a rejection is retried as the profile's {@code on_reject} says; any other end fails the messages
     * that waited for the connection, with the same outcome, and the next message tries again.
     */
    void connectionEnded(Attempt connect, Outcome outcome, long retryAfterMillis, long now) {
        engine.stats.recordOutcome(context.index, classIndex, outcome, connect.scheduledNanos(), now);
        if (done || engine.stopping()) {
            return;
        }
        if (outcome.isWaiting()) {
            Attempt retry = retryOrGiveUp(connect, retryAfterMillis, now);
            if (retry != null) {
                session.awaitRetry();
                retryLater(retry, () -> session.connect(retry));
            }
            return;
        }
        while (!done && nextIndex < plan.requests().size()) {
            PlannedRequest r = plan.requests().get(nextIndex);
            long due = due(r);
            if (due > now) {
                break;
            }
            nextIndex++;
            engine.stats.recordSend(context.index, due, now, now);
            completed(new Attempt(this, r, 1, due), outcome, -1, now);
        }
        queueNext();
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
        if (!outcome.isWaiting()) {
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
        Attempt retry = retryOrGiveUp(attempt, retryAfterMillis, now);
        if (retry != null) {
            retryLater(retry, () -> send(retry, System.nanoTime()));
        }
    }

    /** Runs {@code again} at the retry's time, unless the client or the run has ended by then. */
    private void retryLater(Attempt retry, Runnable again) {
        context.loop.schedule(
                () -> {
                    if (!done && !engine.stopping()) {
                        again.run();
                    }
                },
                retry.scheduledNanos() - System.nanoTime(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * After a rejection of {@code attempt}: the next attempt, due when the client would retry, with the
     * client's later requests moved by the wait; or null when the client gives up ({@code max_attempts}).
     */
    private Attempt retryOrGiveUp(Attempt attempt, long retryAfterMillis, long now) {
        OnReject policy = engine.onReject();
        if (attempt.number() >= policy.maxAttempts()) {
            engine.stats.gaveUp.incrementAndGet();
            done = true;
            closeConnections();
            return null;
        }
        double delayMillis = plan.honoursRetryAfter() && retryAfterMillis >= 0
                ? retryAfterMillis
                : policy.otherwise().delayMillis(attempt.number(), random);
        long retryAt = now + Math.round(delayMillis * 1e6);
        // The client waits: its later requests move with it (it is the server's instruction, not omission).
        shiftNanos = Math.max(
                shiftNanos, retryAt - engine.startNanos() - attempt.request().atNanos());
        return new Attempt(this, attempt.request(), attempt.number() + 1, retryAt);
    }

    private void closeConnections() {
        if (session != null) {
            session.end();
        } else if (pool != context.sharedPool) {
            pool.closeIdle();
        }
    }

    private void finishIfDone() {
        if (!done
                && sessionOver
                && unfinished == 0
                && nextIndex == plan.requests().size()) {
            done = true;
            closeConnections();
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

    /** The WebSocket upgrade's URI: the target's base, the session's first path, and the key if it goes in the query. */
    URI upgradeUri() {
        String path = plan.requests().get(0).path();
        ClientKeyPlacement key = engine.clientKey();
        if (key.where() == ClientKeyPlacement.Where.QUERY) {
            path += (path.indexOf('?') >= 0 ? '&' : '?') + new String(identity, StandardCharsets.US_ASCII);
        }
        return URI.create(engine.webSocketBase() + path);
    }

    /** Adds the client key (header or cookie placement), the ticket and the cookies this client keeps. */
    void addUpgradeHeaders(HttpHeaders headers) {
        ClientKeyPlacement key = engine.clientKey();
        if (key.where() == ClientKeyPlacement.Where.HEADER) {
            headers.set(key.name(), plan.key());
        }
        if (ticket != null) {
            headers.set(TICKET_HEADER_NAME, ticket);
        }
        StringBuilder cookie = new StringBuilder();
        if (key.where() == ClientKeyPlacement.Where.COOKIE) {
            cookie.append(key.name()).append('=').append(plan.key());
        }
        for (Map.Entry<String, String> c : cookies.entrySet()) {
            if (cookie.length() > 0) {
                cookie.append("; ");
            }
            cookie.append(c.getKey()).append('=').append(c.getValue());
        }
        if (cookie.length() > 0) {
            headers.set(HttpHeaderNames.COOKIE, cookie.toString());
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
