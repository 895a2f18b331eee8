package dev.readmit.gateway.admit;

import dev.readmit.admission.Decision;
import dev.readmit.gateway.admit.AdmissionSettings.Ticket;
import dev.readmit.gateway.admit.AdmissionSettings.WaitingMode;
import dev.readmit.gateway.proxy.LingeringClose;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * Admits, holds or answers each request of one connection. Sits after the HTTP codec and before the
 * proxy.
 *
 * <ul>
 *   <li>Admit: the request and its content pass on unchanged. The response to it gets the ticket
 *       (cookie and header) when the client was newly admitted, or was admitted without presenting
 *       a valid ticket (not for always-open classes, which need none).
 *   <li>Wait, hold mode: the request is parked in the {@link WaitingRoom}; reading stops
 *       (downstream {@code read()} calls are held back, and {@code AUTO_READ}, if on, is switched off
 *       until the request leaves the room) and what the
 *       codec had already decoded is kept, counted, until the request is admitted (everything is
 *       replayed in order), answered after {@code maxWait}, or the client closes (everything is
 *       released). A full room rejects the request ({@code queue_full}).
 *   <li>Wait, respond mode, and Reject: answered by the {@link WaitingRoomResponder}; the request
 *       body is discarded. The connection stays open when the client wants it and the body is
 *       already read, absent, or small enough ({@value #MAX_DISCARDED_BODY_BYTES} bytes) to read
 *       and drop, and its {@code Retry-After} is shorter than {@code waiting.closeFromRetryAfter}
 *       (when set); otherwise the answer says {@code Connection: close} and the connection closes.
 * </ul>
 *
 * <p>Requests are handled one at a time: the next pipelined request is looked at only after the
 * response to the previous one has been written, so answers written here never overtake a response
 * from the proxy. A request the codec marked as failed passes on untouched, for the stage that
 * answers {@code 400}. Every request gets exactly one response or a closed connection.
 *
 * <p>Not sharable: one instance per channel. All fields are touched only on the channel's event loop
 * (the waiting room hands its outcome over with {@link EventExecutor#execute}), so none needs to be
 * volatile.
 */
final class AdmissionHandler extends ChannelDuplexHandler {

    /** A body up to this size is read and dropped so that the connection can stay open. */
    static final long MAX_DISCARDED_BODY_BYTES = 64 * 1024;

    /** Past this many messages read ahead of a pending response, reading stops until it is written. */
    static final int MAX_BACKLOG_MESSAGES = 16;

    private enum State {
        /** Waiting for the next request head. */
        READY,
        /** The current request was admitted: its content passes on. */
        FORWARDING,
        /** The current request is in the waiting room. */
        HOLDING,
        /** The current request was answered here: its content is dropped, then the next request. */
        DISCARDING,
        /** Answered with {@code Connection: close}: everything is dropped until the channel closes. */
        CLOSING,
        /** The channel is gone or the handler removed: everything is released at once. */
        CLOSED,
        /** A {@code 101 Switching Protocols} went out: what follows is no longer HTTP and passes on. */
        UPGRADED
    }

    private static final AsciiString SET_COOKIE = HttpHeaderNames.SET_COOKIE;

    private final AdmissionGate gate;
    private final ClientKey clientKey = new ClientKey();
    private final AsciiString ticketHeader;
    private final boolean holdMode;
    private final Runnable resume = this::resume;

    private ChannelHandlerContext ctx;
    private State state = State.READY;
    /** Messages read while this handler could not look at them yet, in arrival order. */
    private ArrayDeque<Object> backlog;
    /** An admitted request whose response has not been written completely yet. */
    private boolean responsePending;
    /** The ticket to put on the pending response, or null. */
    private String ticketToIssue;
    /** A downstream {@code read()} held back while paused. */
    private boolean readRequested;
    /** This handler switched {@code AUTO_READ} off and must switch it back on. */
    private boolean autoReadSuspended;
    /** Something was passed on from the backlog since the last {@code channelReadComplete}. */
    private boolean forwardedFromBacklog;

    private HttpRequest heldRequest;
    private HeldEntry heldEntry;

    AdmissionHandler(AdmissionGate gate) {
        this.gate = gate;
        this.ticketHeader = AsciiString.cached(gate.settings().ticket().headerName());
        this.holdMode = gate.settings().waiting().mode() == WaitingMode.HOLD;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (paused() || (backlog != null && !backlog.isEmpty())) {
            backlog().add(msg);
            if (readingHeld()) {
                suspendAutoRead();
            }
            return;
        }
        process(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (readingHeld()) {
            readRequested = true;
        } else {
            ctx.read();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean responseEnds = false;
        if (responsePending) {
            // One type test per kind (each negative interface test scans the class's supertypes): this
            // runs for every message of every response.
            if (msg instanceof HttpResponse response) {
                HttpResponseStatus status = response.status();
                if (!isInformational(status)) {
                    if (ticketToIssue != null) {
                        addTicket(response);
                    }
                    responseEnds = msg instanceof LastHttpContent;
                }
                if (status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    // The upgrade's response may come without a LastHttpContent; nothing after it is HTTP.
                    responseEnds = true;
                    state = State.UPGRADED;
                }
            } else {
                responseEnds = msg instanceof LastHttpContent;
            }
        }
        ctx.write(msg, promise);
        if (responseEnds) {
            responsePending = false;
            if ((state == State.READY || state == State.UPGRADED) && backlog != null && !backlog.isEmpty()) {
                // Not inline: the proxy is in the middle of its write and must not see a new request now.
                ctx.executor().execute(resume);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    /**
     * After an upgrade, what was read ahead belongs to the new protocol and is passed on; otherwise
     * it is released, because passing on a request that was not decided would bypass admission.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (state == State.UPGRADED && backlog != null) {
            Object msg;
            while ((msg = backlog.poll()) != null) {
                ctx.fireChannelRead(msg);
            }
        }
        releaseAll();
    }

    /** True while nothing that was read may be looked at. */
    private boolean paused() {
        return state == State.HOLDING || (state == State.READY && responsePending);
    }

    /**
     * True while downstream {@code read()} calls are held back: while a request is held, and while
     * pipelined requests pile up behind a response. Reading goes on while an admitted request waits
     * for its response, so a client that goes away is noticed.
     */
    private boolean readingHeld() {
        return state == State.HOLDING
                || state == State.CLOSED
                || (backlog != null && backlog.size() >= MAX_BACKLOG_MESSAGES);
    }

    private ArrayDeque<Object> backlog() {
        if (backlog == null) {
            backlog = new ArrayDeque<>(4);
        }
        return backlog;
    }

    private void process(Object msg) {
        switch (state) {
            case READY -> {
                if (msg instanceof HttpRequest request) {
                    onRequest(request);
                } else {
                    // Content without a head, or a protocol after an upgrade: not ours to judge.
                    forward(msg);
                }
            }
            case FORWARDING -> {
                forward(msg);
                if (msg instanceof LastHttpContent) {
                    state = State.READY;
                }
            }
            case DISCARDING -> {
                ReferenceCountUtil.release(msg);
                if (msg instanceof LastHttpContent) {
                    state = State.READY;
                }
            }
            case HOLDING -> backlog().add(msg);
            case UPGRADED -> forward(msg);
            case CLOSING, CLOSED -> ReferenceCountUtil.release(msg);
        }
    }

    private void forward(Object msg) {
        ctx.fireChannelRead(msg);
    }

    private void onRequest(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            responsePending = true;
            state = request instanceof LastHttpContent ? State.READY : State.FORWARDING;
            forward(request);
            return;
        }
        Decision decision;
        int classIndex;
        long now;
        try {
            gate.keys().resolve(request, ctx.channel().remoteAddress(), clientKey);
            classIndex = gate.classRules().classify(request);
            now = gate.clock().nanoTime();
            decision = clientKey.hasValidTicket()
                    ? gate.decider().decideTicketHolder(clientKey.key(), clientKey.ticketClientHash(), classIndex, now)
                    : gate.decider().decide(clientKey.key(), classIndex, now);
            gate.listener().decided(classIndex, clientKey.rule(), decision);
        } catch (RuntimeException e) {
            // The decision failed, not the client: close rather than guess an answer.
            ReferenceCountUtil.release(request);
            state = State.CLOSING;
            ctx.fireExceptionCaught(e);
            ctx.close();
            return;
        }
        if (decision instanceof Decision.Admit admit) {
            admit(request, admit);
        } else if (decision instanceof Decision.Wait wait && holdMode) {
            hold(request, wait, classIndex, now);
        } else {
            answer(request, decision);
        }
    }

    private void admit(HttpRequest request, Decision.Admit admit) {
        boolean issue = admit == Decision.Admit.NEWLY_ADMITTED
                || (admit == Decision.Admit.ALREADY_ADMITTED && !clientKey.hasValidTicket());
        ticketToIssue = issue && gate.settings().enabled() ? gate.tickets().issue(clientKey.key()) : null;
        responsePending = true;
        state = request instanceof LastHttpContent ? State.READY : State.FORWARDING;
        forward(request);
    }

    private void hold(HttpRequest request, Decision.Wait wait, int classIndex, long now) {
        HeldEntry entry = new HeldEntry(this, ctx.executor(), clientKey.key().toString(), classIndex, now);
        if (!gate.waitingRoom().offer(entry)) {
            answer(request, new Decision.Reject(Decision.RejectReason.QUEUE_FULL, wait.retryAfterSeconds()));
            return;
        }
        heldRequest = request;
        heldEntry = entry;
        state = State.HOLDING;
        suspendAutoRead();
        gate.listener().held(classIndex);
    }

    /** The waiting room's outcome for the held request, on this channel's event loop. */
    private void onDecided(HeldEntry entry, Decision decision) {
        if (entry != heldEntry || state != State.HOLDING) {
            return;
        }
        HttpRequest request = heldRequest;
        heldRequest = null;
        heldEntry = null;
        gate.listener()
                .leftWaitingRoom(
                        entry.classIndex(),
                        decision instanceof Decision.Admit
                                ? AdmissionListener.Exit.ADMITTED
                                : AdmissionListener.Exit.ANSWERED,
                        gate.clock().nanoTime() - entry.enqueuedAtNanos());
        if (decision instanceof Decision.Admit admit) {
            admit(request, admit);
            forwardedFromBacklog = true;
        } else {
            answer(request, decision);
        }
        resume();
    }

    private void answer(HttpRequest request, Decision decision) {
        boolean requestRead = request instanceof LastHttpContent;
        boolean keepAlive = HttpUtil.isKeepAlive(request)
                && (requestRead || canDiscardBody(request))
                && !gate.settings().waiting().closesFor(retryAfterSeconds(decision));
        FullHttpResponse response = gate.responder().respond(request, decision, keepAlive, ctx.alloc());
        ReferenceCountUtil.release(request);
        if (keepAlive) {
            state = requestRead ? State.READY : State.DISCARDING;
            ctx.writeAndFlush(response);
        } else {
            state = State.CLOSING;
            ctx.writeAndFlush(response).addListener(LingeringClose.AFTER_RESPONSE);
        }
    }

    private static int retryAfterSeconds(Decision decision) {
        if (decision instanceof Decision.Wait wait) {
            return wait.retryAfterSeconds();
        }
        return decision instanceof Decision.Reject reject ? reject.retryAfterSeconds() : 0;
    }

    /**
     * True if what remains of the body is known to be read already or small enough to read and
     * drop; a client that waits for {@code 100 Continue} may never send it, so it is not waited for.
     */
    private boolean canDiscardBody(HttpRequest request) {
        if (backlog != null) {
            for (Object msg : backlog) {
                if (msg instanceof LastHttpContent) {
                    return true;
                }
                if (msg instanceof HttpRequest) {
                    break;
                }
            }
        }
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return false;
        }
        long length = HttpUtil.getContentLength(request, 0L);
        return length == 0 || (length <= MAX_DISCARDED_BODY_BYTES && !HttpUtil.is100ContinueExpected(request));
    }

    /** Looks at the backlog again and lets reading go on once nothing holds it back. */
    private void resume() {
        if (state == State.CLOSED) {
            return;
        }
        while (backlog != null && !backlog.isEmpty() && !paused()) {
            Object msg = backlog.poll();
            if (state == State.READY || state == State.FORWARDING || state == State.UPGRADED) {
                forwardedFromBacklog = true;
            }
            process(msg);
        }
        if (forwardedFromBacklog) {
            forwardedFromBacklog = false;
            ctx.fireChannelReadComplete();
        }
        if (!readingHeld()) {
            if (autoReadSuspended) {
                // Switching AUTO_READ back on issues a read() itself.
                autoReadSuspended = false;
                readRequested = false;
                ctx.channel().config().setAutoRead(true);
            } else if (readRequested) {
                readRequested = false;
                ctx.read();
            }
        }
    }

    /**
     * Holding back {@code read()} is enough when {@code AUTO_READ} is off (the proxy's way); when it
     * is on, the transport keeps reading by itself, so it is switched off until reading may resume.
     */
    private void suspendAutoRead() {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            autoReadSuspended = true;
        }
    }

    private void addTicket(HttpResponse response) {
        Ticket ticket = gate.settings().ticket();
        DefaultCookie cookie = new DefaultCookie(ticket.cookieName(), ticketToIssue);
        cookie.setHttpOnly(true);
        cookie.setSecure(ticket.secure());
        cookie.setPath("/");
        cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        cookie.setMaxAge(ticket.lifetime().toSeconds());
        response.headers().add(SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
        response.headers().set(ticketHeader, ticketToIssue);
        ticketToIssue = null;
    }

    private static boolean isInformational(HttpResponseStatus status) {
        int code = status.code();
        return code >= 100 && code < 200 && code != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    }

    private void releaseAll() {
        state = State.CLOSED;
        HeldEntry cancelled = heldEntry != null && heldEntry.cancel() ? heldEntry : null;
        heldEntry = null;
        if (heldRequest != null) {
            ReferenceCountUtil.release(heldRequest);
            heldRequest = null;
        }
        if (backlog != null) {
            Object msg;
            while ((msg = backlog.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
        }
        ticketToIssue = null;
        if (cancelled != null) {
            // Told last, so that a listener sees the buffers already released.
            gate.listener()
                    .leftWaitingRoom(
                            cancelled.classIndex(),
                            AdmissionListener.Exit.CLIENT_CLOSED,
                            gate.clock().nanoTime() - cancelled.enqueuedAtNanos());
        }
    }

    /** The waiting room's handle on the held request; hands the outcome to the channel's loop. */
    private static final class HeldEntry extends WaitingRoom.Entry {
        private final AdmissionHandler handler;
        private final EventExecutor executor;

        HeldEntry(AdmissionHandler handler, EventExecutor executor, String clientKey, int classIndex, long now) {
            super(clientKey, classIndex, now);
            this.handler = handler;
            this.executor = executor;
        }

        @Override
        protected void onDecided(Decision decision) {
            try {
                executor.execute(() -> handler.onDecided(this, decision));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: its channels, this one included, are being closed.
            }
        }
    }
}
