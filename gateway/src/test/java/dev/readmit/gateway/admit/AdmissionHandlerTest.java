package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.readmit.admission.Decision;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.config.ConfigException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class AdmissionHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESPOND = "admission: {waiting: {mode: respond, retryAfterJitter: 0}}";
    private static final String HOLD =
            "admission: {waiting: {mode: hold, maxWait: 10s, maxQueue: 3, retryAfterJitter: 0}}";

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScriptedDecider decider = new ScriptedDecider();
    private final FakeTickets tickets = new FakeTickets();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<Object> sent = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final AdmissionListener listener = new AdmissionListener() {
        @Override
        public void decided(int classIndex, AdmissionSettings.KeyRule keyRule, Decision decision) {
            events.add("decided " + classIndex + " " + keyRule + " "
                    + decision.outcome().label());
        }

        @Override
        public void held(int classIndex) {
            events.add("held " + classIndex);
        }

        @Override
        public void leftWaitingRoom(int classIndex, Exit exit, long waitedNanos) {
            events.add("left " + classIndex + " " + exit.label() + " after " + waitedNanos / 1_000_000_000L + "s");
        }
    };

    @AfterEach
    void finish() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
        for (Object msg : sent) {
            if (msg instanceof ByteBuf || msg instanceof HttpContent) {
                assertThat(((io.netty.util.ReferenceCounted) msg).refCnt())
                        .as("every buffer sent in is released: %s", msg)
                        .isZero();
            }
        }
    }

    private AdmissionGate gate(String yaml) throws ConfigException {
        return AdmissionGate.create(AdmissionSettingsTest.parse(yaml), decider, tickets, clock, listener);
    }

    /** Counts the {@code read()} calls that get past the admission handler towards the socket. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    private EmbeddedChannel channel(AdmissionGate gate) {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadCounter(), gate.newHandler());
        channels.add(channel);
        return channel;
    }

    private static int reads(EmbeddedChannel channel) {
        return ((ReadCounter) channel.pipeline().first()).reads;
    }

    private HttpRequest get(String clientId, String... headerPairs) {
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/items");
        request.headers().set("X-Client-Id", clientId);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        sent.add(request);
        return request;
    }

    private HttpRequest postHead(String clientId, int contentLength) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        request.headers().set("X-Client-Id", clientId);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        return request;
    }

    private HttpContent content(String text) {
        HttpContent content = new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        sent.add(content);
        return content;
    }

    private LastHttpContent last(String text) {
        LastHttpContent content = new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        sent.add(content);
        return content;
    }

    private static FullHttpResponse ok() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }

    /** Plays the proxy: answers the admitted request with 200 and returns what reached the client. */
    private static FullHttpResponse proxyAnswers(EmbeddedChannel channel) {
        channel.writeOutbound(ok());
        return channel.readOutbound();
    }

    private static JsonNode json(FullHttpResponse response) throws Exception {
        try {
            return JSON.readTree(response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    private static List<Object> drainInbound(EmbeddedChannel channel) {
        List<Object> received = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            received.add(msg);
        }
        return received;
    }

    private static void releaseAll(List<Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    @Test
    void admittedRequestAndItsContentPassOnUnchanged() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        HttpRequest head = postHead("alice", 6);
        HttpContent part = content("abc");
        LastHttpContent end = last("def");

        channel.writeInbound(head, part, end);

        List<Object> received = drainInbound(channel);
        assertThat(received).containsExactly(head, part, end);
        assertThat(part.refCnt()).isOne();
        releaseAll(received);
        assertThat(decider.calls).containsExactly("alice");
    }

    @Test
    void newlyAdmittedClientGetsTheTicketAsHttpOnlyLaxCookieAndHeader() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));

        channel.writeInbound(get("alice"));
        releaseAll(drainInbound(channel));
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(response.headers().get("Readmit-Ticket")).isEqualTo("t.alice");
        String cookie = response.headers().get(HttpHeaderNames.SET_COOKIE);
        assertThat(cookie)
                .startsWith("readmit=t.alice")
                .contains("; Max-Age=86400")
                .contains("; Path=/")
                .containsIgnoringCase("; HttpOnly")
                .contains("; SameSite=Lax")
                .doesNotContain("Secure");
        response.release();
    }

    @Test
    void ticketCookieIsSecureWhenTlsIsInFront() throws ConfigException {
        EmbeddedChannel channel = channel(gate("admission: {ticket: {secure: true, lifetime: 1h}}"));

        channel.writeInbound(get("alice"));
        releaseAll(drainInbound(channel));
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(response.headers().get(HttpHeaderNames.SET_COOKIE))
                .contains("; Secure")
                .contains("; Max-Age=3600");
        response.release();
    }

    @Test
    void clientWithAValidTicketIsDecidedAsTicketHolderAndGetsNoNewTicket() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));

        channel.writeInbound(get("bob", "Cookie", "readmit=t.bob"));
        releaseAll(drainInbound(channel));
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(decider.ticketHolderCalls).containsExactly("bob");
        assertThat(decider.calls).isEmpty();
        assertThat(response.headers().contains(HttpHeaderNames.SET_COOKIE)).isFalse();
        assertThat(response.headers().contains("Readmit-Ticket")).isFalse();
        response.release();
    }

    @Test
    void apiClientSendsTheTicketBackInTheHeader() throws ConfigException {
        EmbeddedChannel channel = channel(gate("admission: {clientKey: [ticket, source]}"));

        channel.writeInbound(get("ignored", "Readmit-Ticket", "t.carol"));
        releaseAll(drainInbound(channel));
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(decider.ticketHolderCalls).containsExactly(String.format("%016x", FakeTickets.hash("carol")));
        assertThat(response.headers().contains("Readmit-Ticket")).isFalse();
        response.release();
    }

    @Test
    void alreadyAdmittedClientWithoutATicketGetsOneButAlwaysOpenClassesIssueNone() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        decider.byKey.put("known", Decision.Admit.ALREADY_ADMITTED);
        decider.byKey.put("restorer", Decision.Admit.ALWAYS_OPEN);

        channel.writeInbound(get("known"));
        releaseAll(drainInbound(channel));
        FullHttpResponse first = proxyAnswers(channel);
        channel.writeInbound(get("restorer"));
        releaseAll(drainInbound(channel));
        FullHttpResponse second = proxyAnswers(channel);

        assertThat(first.headers().get("Readmit-Ticket")).isEqualTo("t.known");
        assertThat(second.headers().contains("Readmit-Ticket")).isFalse();
        assertThat(tickets.issued).hasValue(1);
        first.release();
        second.release();
    }

    @Test
    void ticketGoesOnTheFinalResponseNotOnA100Continue() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        HttpRequest head = postHead("alice", 3);
        head.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);

        channel.writeInbound(head, last("abc"));
        releaseAll(drainInbound(channel));
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        FullHttpResponse interim = channel.readOutbound();
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(interim.headers().contains("Readmit-Ticket")).isFalse();
        assertThat(response.headers().get("Readmit-Ticket")).isEqualTo("t.alice");
        interim.release();
        response.release();
    }

    @Test
    void waitingClientInRespondModeGets503JsonAndItsBodyIsDropped() throws Exception {
        EmbeddedChannel channel = channel(gate(RESPOND));
        decider.fallback = ScriptedDecider.WAIT;

        channel.writeInbound(postHead("dave", 6), content("abc"), last("def"));

        assertThat(drainInbound(channel)).isEmpty();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isNull();
        JsonNode body = json(response);
        assertThat(body.get("place").asLong()).isEqualTo(3);
        assertThat(body.get("estimatedWaitSeconds").asLong()).isEqualTo(20);
        assertThat(channel.isOpen()).isTrue();

        decider.fallback = Decision.Admit.NEWLY_ADMITTED;
        HttpRequest next = get("dave");
        channel.writeInbound(next);
        List<Object> received = drainInbound(channel);
        assertThat(received).containsExactly(next);
        releaseAll(received);
    }

    @Test
    void browserInRespondModeGetsTheWaitingPage() throws ConfigException {
        EmbeddedChannel channel =
                channel(gate("admission: {waiting: {mode: respond, retryAfterJitter: 0, message: 'Back <soon>'}}"));
        decider.fallback = ScriptedDecider.WAIT;

        channel.writeInbound(get("erin", "Accept", "text/html"));

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/html");
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .contains("content=\"5\"")
                .contains("Back &lt;soon&gt;");
        response.release();
    }

    @Test
    void chunkedBodyOfAWaitingClientIsAnsweredWithCloseAndReleased() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        decider.fallback = ScriptedDecider.WAIT;
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/big");
        head.headers().set("X-Client-Id", "frank");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);

        channel.writeInbound(head, content("part"), content("more"));

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        response.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(drainInbound(channel)).isEmpty();
    }

    @Test
    void aClientToldToComeBackLaterThanCloseFromRetryAfterIsNotKeptConnected() throws Exception {
        AdmissionGate gate = gate("admission: {waiting: {retryAfterJitter: 0, closeFromRetryAfter: 5s}}");
        EmbeddedChannel soon = channel(gate);
        decider.fallback = new Decision.Wait(1, 4_000_000_000L, 4, true);
        soon.writeInbound(get("hank"));
        FullHttpResponse kept = soon.readOutbound();
        assertThat(kept.headers().get(HttpHeaderNames.CONNECTION))
                .as("back in 4 s")
                .isNull();
        kept.release();
        assertThat(soon.isOpen()).isTrue();

        EmbeddedChannel later = channel(gate);
        decider.fallback = ScriptedDecider.WAIT;
        later.writeInbound(get("ivy"));
        FullHttpResponse closed = later.readOutbound();
        assertThat(closed.status().code()).isEqualTo(503);
        assertThat(closed.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
        assertThat(closed.headers().get(HttpHeaderNames.CONNECTION))
                .as("back in 5 s")
                .isEqualTo("close");
        closed.release();
        assertThat(later.isOpen()).isFalse();
    }

    @Test
    void rejectionUsesTheConfiguredStatus() throws Exception {
        EmbeddedChannel channel = channel(gate("admission: {waiting: {rejectStatus: 429, retryAfterJitter: 0}}"));
        decider.fallback = new Decision.Reject(Decision.RejectReason.UPSTREAM_UNHEALTHY, 11);

        channel.writeInbound(get("gina"));

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("11");
        assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(json(response).get("reason").asText()).isEqualTo("upstream_unhealthy");
    }

    @Test
    void heldRequestIsReplayedInOrderWhenTheDeciderAdmits() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        EmbeddedChannel channel = channel(gate);
        decider.fallback = ScriptedDecider.WAIT;
        HttpRequest head = postHead("hana", 6);
        HttpContent part = content("abc");
        LastHttpContent end = last("def");
        int readsBefore = reads(channel);

        channel.writeInbound(head, part, end);
        channel.read();

        assertThat(drainInbound(channel)).isEmpty();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(reads(channel)).as("reading stays paused while held").isEqualTo(readsBefore);
        assertThat(gate.waitingRoom().size()).isOne();

        clock.advance(Duration.ofSeconds(2));
        decider.fallback = Decision.Admit.NEWLY_ADMITTED;
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();

        List<Object> received = drainInbound(channel);
        assertThat(received).containsExactly(head, part, end);
        assertThat(reads(channel)).as("reading resumes after the release").isGreaterThan(readsBefore);
        assertThat(gate.waitingRoom().size()).isZero();
        assertThat(events).containsExactly("decided 0 header:X-Client-Id wait", "held 0", "left 0 admitted after 2s");
        releaseAll(received);
        FullHttpResponse response = proxyAnswers(channel);
        assertThat(response.headers().get("Readmit-Ticket")).isEqualTo("t.hana");
        response.release();
    }

    @Test
    void heldRequestIsAnswered503AfterMaxWait() throws Exception {
        AdmissionGate gate = gate(HOLD);
        EmbeddedChannel channel = channel(gate);
        decider.fallback = ScriptedDecider.WAIT;

        channel.writeInbound(postHead("ivan", 3), last("abc"));
        clock.advance(Duration.ofSeconds(9));
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();

        clock.advance(Duration.ofSeconds(1));
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
        assertThat(json(response).get("place").asLong()).isEqualTo(3);
        assertThat(drainInbound(channel)).isEmpty();
        assertThat(channel.isOpen())
                .as("the body was read, so keep-alive holds")
                .isTrue();
        assertThat(events).endsWith("left 0 answered after 10s");
        assertThat(gate.waitingRoom().size()).isZero();
    }

    @Test
    void heldRequestsAreReleasedInArrivalOrderAcrossChannels() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        decider.tokens.set(0);
        EmbeddedChannel a = channel(gate);
        EmbeddedChannel b = channel(gate);
        EmbeddedChannel c = channel(gate);
        a.writeInbound(get("a"));
        b.writeInbound(get("b"));
        c.writeInbound(get("c"));
        decider.calls.clear();

        gate.waitingRoom().drain(clock.nanoTime());
        assertThat(decider.calls)
                .as("the head waits for a token; nobody behind it is asked")
                .containsExactly("a");

        decider.tokens.set(1);
        gate.waitingRoom().drain(clock.nanoTime());
        List.of(a, b, c).forEach(EmbeddedChannel::runPendingTasks);
        assertThat(List.of(a, b, c).stream().map(ch -> ch.inboundMessages().size()))
                .containsExactly(1, 0, 0);

        decider.tokens.set(2);
        gate.waitingRoom().drain(clock.nanoTime());
        List.of(a, b, c).forEach(EmbeddedChannel::runPendingTasks);
        assertThat(List.of(a, b, c).stream().map(ch -> ch.inboundMessages().size()))
                .containsExactly(1, 1, 1);
        assertThat(decider.calls).containsExactly("a", "a", "b", "b", "c");
        List.of(a, b, c).forEach(ch -> releaseAll(drainInbound(ch)));
    }

    @Test
    void aClientWhoseCohortIsClosedDoesNotBlockTheLineBehindIt() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        decider.tokens.set(0);
        decider.byKey.put("closed", new Decision.Wait(1, 60_000_000_000L, 30, false));
        EmbeddedChannel first = channel(gate);
        EmbeddedChannel second = channel(gate);
        first.writeInbound(get("closed"));
        second.writeInbound(get("open"));

        decider.tokens.set(1);
        gate.waitingRoom().drain(clock.nanoTime());
        first.runPendingTasks();
        second.runPendingTasks();

        assertThat(first.inboundMessages()).isEmpty();
        List<Object> received = drainInbound(second);
        assertThat(received).hasSize(1);
        releaseAll(received);
    }

    @Test
    void aFullWaitingRoomRejectsWithQueueFull() throws Exception {
        AdmissionGate gate =
                gate("admission: {waiting: {mode: hold, maxQueue: 1, rejectStatus: 429, retryAfterJitter: 0}}");
        decider.fallback = ScriptedDecider.WAIT;
        EmbeddedChannel first = channel(gate);
        EmbeddedChannel second = channel(gate);

        first.writeInbound(get("a"));
        second.writeInbound(get("b"));

        assertThat((Object) first.readOutbound()).isNull();
        FullHttpResponse response = second.readOutbound();
        assertThat(response.status().code()).isEqualTo(429);
        assertThat(json(response).get("reason").asText()).isEqualTo("queue_full");
        assertThat(gate.waitingRoom().size()).isOne();
    }

    @Test
    void aClientThatClosesWhileHeldLeavesTheLineAndItsBuffersAreReleased() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        EmbeddedChannel channel = channel(gate);
        decider.fallback = ScriptedDecider.WAIT;
        HttpContent part = content("abc");
        LastHttpContent end = last("def");

        channel.writeInbound(postHead("jon", 6), part, end);
        assertThat(part.refCnt()).as("held, not yet released").isOne();
        channel.close();

        assertThat(part.refCnt()).isZero();
        assertThat(end.refCnt()).isZero();
        assertThat(gate.waitingRoom().size()).isZero();
        assertThat(events).endsWith("left 0 client_closed after 0s");
        decider.fallback = Decision.Admit.NEWLY_ADMITTED;
        decider.calls.clear();
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();
        assertThat(decider.calls).as("a cancelled entry is not asked about").isEmpty();
        assertThat(drainInbound(channel)).isEmpty();
    }

    @Test
    void aPipelinedAnswerWaitsForThePreviousResponse() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        decider.byKey.put("late", ScriptedDecider.WAIT);

        channel.writeInbound(get("early"), get("late"));
        List<Object> received = drainInbound(channel);
        assertThat(received).hasSize(1);
        releaseAll(received);
        assertThat((Object) channel.readOutbound())
                .as("nothing overtakes the pending response")
                .isNull();

        channel.writeOutbound(ok());
        channel.runPendingTasks();

        FullHttpResponse first = channel.readOutbound();
        FullHttpResponse second = channel.readOutbound();
        assertThat(first.status().code()).isEqualTo(200);
        assertThat(second.status().code()).isEqualTo(503);
        first.release();
        second.release();
    }

    @Test
    void aRequestTheCodecCouldNotParsePassesOnForTheErrorStage() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        HttpRequest broken = get("kim");
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));

        channel.writeInbound(broken);

        List<Object> received = drainInbound(channel);
        assertThat(received).containsExactly(broken);
        assertThat(decider.calls).isEmpty();
        releaseAll(received);
    }

    @Test
    void admissionSwitchedOffAdmitsWithoutAskingAndIssuesNoTicket() throws ConfigException {
        EmbeddedChannel channel = channel(gate("admission: {enabled: false}"));

        channel.writeInbound(get("lee"));
        releaseAll(drainInbound(channel));
        FullHttpResponse response = proxyAnswers(channel);

        assertThat(decider.calls).isEmpty();
        assertThat(response.headers().contains(HttpHeaderNames.SET_COOKIE)).isFalse();
        response.release();
    }

    @Test
    void afterAnUpgradeEverythingPassesThrough() throws ConfigException {
        EmbeddedChannel channel = channel(gate(RESPOND));
        decider.fallback = ScriptedDecider.WAIT;
        decider.byKey.put("ws", Decision.Admit.NEWLY_ADMITTED);
        HttpRequest upgrade = get("ws", "Connection", "Upgrade", "Upgrade", "websocket");

        channel.writeInbound(upgrade);
        releaseAll(drainInbound(channel));
        channel.writeOutbound(new io.netty.handler.codec.http.DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        ReferenceCountUtil.release(channel.readOutbound());
        ByteBuf frame = Unpooled.copiedBuffer("frame", StandardCharsets.UTF_8);
        sent.add(frame);
        channel.writeInbound(frame);

        List<Object> received = drainInbound(channel);
        assertThat(received).containsExactly(frame);
        releaseAll(received);
        assertThat(decider.calls).containsExactly("ws");
    }

    @Test
    void autoReadIsSwitchedOffWhileHeldAndBackOnAfterwards() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        EmbeddedChannel channel = channel(gate);
        decider.fallback = ScriptedDecider.WAIT;

        channel.writeInbound(get("max"));
        assertThat(channel.config().isAutoRead()).isFalse();

        decider.fallback = Decision.Admit.NEWLY_ADMITTED;
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isTrue();
        releaseAll(drainInbound(channel));
    }

    @Test
    void autoReadSwitchedOffByTheProxyStaysOff() throws ConfigException {
        AdmissionGate gate = gate(HOLD);
        EmbeddedChannel channel = channel(gate);
        channel.config().setAutoRead(false);
        decider.fallback = ScriptedDecider.WAIT;
        channel.writeInbound(get("ned"));
        channel.read();
        int readsWhileHeld = reads(channel);

        decider.fallback = Decision.Admit.NEWLY_ADMITTED;
        gate.waitingRoom().drain(clock.nanoTime());
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(reads(channel)).as("the held-back read() is issued").isEqualTo(readsWhileHeld + 1);
        releaseAll(drainInbound(channel));
    }
}
