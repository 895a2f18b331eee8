package dev.readmit.gateway.admit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.readmit.admission.Decision;
import dev.readmit.gateway.admit.AdmissionSettings.Waiting;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * Answers a request that is not admitted: {@code 503} for a {@link Decision.Wait}, the configured
 * {@code 503} or {@code 429} for a {@link Decision.Reject}, always with {@code Retry-After} and
 * {@code Cache-Control: no-store}.
 *
 * <p>The body follows {@code Accept}: a request that accepts {@code text/html} (a browser) gets a
 * small waiting page that refreshes itself after {@code Retry-After} seconds; anything else gets
 * JSON:
 *
 * <pre>{@code
 * {"status":"waiting","place":12,"estimatedWaitSeconds":30,"retryAfterSeconds":7,"message":"..."}
 * {"status":"rejected","reason":"queue_full","retryAfterSeconds":7,"message":"..."}
 * }</pre>
 *
 * <p>{@code Retry-After} is the decision's (already jittered) value spread once more by the
 * configured {@code retryAfterJitter} fraction, at least 1 second. The operator's message can be
 * changed at any time ({@link #setMessage}); every response after the change carries it.
 *
 * <p>Thread safe: one instance serves all event loops.
 */
public final class WaitingRoomResponder {

    private static final String TEMPLATE_RESOURCE = "readmit/waiting/page.html";
    private static final JsonFactory JSON = new JsonFactory();
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    private static final AsciiString HTML_UTF8 = AsciiString.cached("text/html; charset=utf-8");
    private static final AsciiString JSON_UTF8 = AsciiString.cached("application/json; charset=utf-8");

    private final HttpResponseStatus rejectStatus;
    private final double jitter;
    private final RandomGenerator random;
    private final AtomicReference<String> message;
    private final String template;

    /** A responder for the {@code waiting} settings, jittering with {@link ThreadLocalRandom}. */
    public WaitingRoomResponder(Waiting waiting) {
        this(waiting, () -> ThreadLocalRandom.current().nextLong());
    }

    /**
     * A responder with the given source of randomness for the jitter, for tests.
     *
     * @param random must be thread safe if the responder is shared across threads
     */
    WaitingRoomResponder(Waiting waiting, RandomGenerator random) {
        this.rejectStatus = HttpResponseStatus.valueOf(waiting.rejectStatus());
        this.jitter = waiting.retryAfterJitter();
        this.random = Objects.requireNonNull(random, "random");
        this.message = new AtomicReference<>(waiting.message());
        this.template = loadTemplate();
    }

    /** The operator's current message to waiting clients; empty for none. */
    public String message() {
        return message.get();
    }

    /**
     * Replaces the operator's message; the next response carries it.
     *
     * @param text the new message, plain text (escaped in HTML, quoted in JSON); null clears it
     */
    public void setMessage(String text) {
        message.set(text == null ? "" : text);
    }

    /**
     * Builds the answer to {@code request}.
     *
     * @param request the request answered; its {@code Accept} picks the body and its version the
     *     response's
     * @param decision a {@link Decision.Wait} or {@link Decision.Reject}
     * @param keepAlive whether the connection stays open after the response; sets {@code Connection}
     *     accordingly
     * @param alloc where the body's buffer comes from
     * @return a response whose body the caller owns (write it, or release it)
     * @throws IllegalArgumentException for an {@link Decision.Admit}
     */
    public FullHttpResponse respond(HttpRequest request, Decision decision, boolean keepAlive, ByteBufAllocator alloc) {
        HttpResponseStatus status;
        int decidedRetryAfter;
        if (decision instanceof Decision.Wait wait) {
            status = HttpResponseStatus.SERVICE_UNAVAILABLE;
            decidedRetryAfter = wait.retryAfterSeconds();
        } else if (decision instanceof Decision.Reject reject) {
            status = rejectStatus;
            decidedRetryAfter = reject.retryAfterSeconds();
        } else {
            throw new IllegalArgumentException("an admitted request gets no waiting-room answer: " + decision);
        }
        int retryAfter = jittered(decidedRetryAfter);
        String text = message.get();
        boolean html = wantsHtml(request.headers());
        ByteBuf body = alloc.buffer(html ? template.length() + text.length() + 256 : 160 + text.length());
        try {
            if (html) {
                ByteBufUtil.writeUtf8(body, page(decision, retryAfter, text));
            } else {
                writeJson(body, decision, retryAfter, text);
            }
        } catch (RuntimeException | Error e) {
            body.release();
            throw e;
        }
        int contentLength = body.readableBytes();
        if (HttpMethod.HEAD.equals(request.method())) {
            // A response to HEAD carries the headers of the GET answer but never a body.
            body.release();
            body = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, body);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, html ? HTML_UTF8 : JSON_UTF8);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        headers.setInt(HttpHeaderNames.RETRY_AFTER, retryAfter);
        headers.set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    /** The decision's retry-after spread by the configured jitter; at least 1. */
    int jittered(int retryAfterSeconds) {
        int base = Math.max(1, retryAfterSeconds);
        if (jitter == 0) {
            return base;
        }
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return (int) Math.max(1, Math.round(base * factor));
    }

    /** Browsers announce {@code text/html}; API clients send {@code application/json}, {@code * / *} or nothing. */
    static boolean wantsHtml(HttpHeaders headers) {
        String accept = headers.get(HttpHeaderNames.ACCEPT);
        return accept != null && AsciiString.indexOfIgnoreCaseAscii(accept, HttpHeaderValues.TEXT_HTML, 0) >= 0;
    }

    private static void writeJson(ByteBuf body, Decision decision, int retryAfter, String text) {
        try (JsonGenerator json = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(body))) {
            json.writeStartObject();
            if (decision instanceof Decision.Wait wait) {
                json.writeStringField("status", "waiting");
                json.writeNumberField("place", wait.place());
                json.writeNumberField("estimatedWaitSeconds", estimatedWaitSeconds(wait));
            } else {
                json.writeStringField("status", "rejected");
                json.writeStringField(
                        "reason", ((Decision.Reject) decision).reason().label());
            }
            json.writeNumberField("retryAfterSeconds", retryAfter);
            json.writeStringField("message", text);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON into a heap or direct buffer failed", e);
        }
    }

    private String page(Decision decision, int retryAfter, String text) {
        String title;
        String details;
        if (decision instanceof Decision.Wait wait) {
            title = "You are in line";
            long seconds = estimatedWaitSeconds(wait);
            details = "Your place in line: " + wait.place() + ". Estimated wait: "
                    + (seconds < 120 ? seconds + " seconds" : ((seconds + 59) / 60) + " minutes") + ".";
        } else {
            title = "The service is busy";
            details = "We cannot let you in right now. Please try again in " + retryAfter + " seconds.";
        }
        String messageBlock = text.isEmpty() ? "" : "<p class=\"message\">" + escapeHtml(text) + "</p>";
        return template.replace("{{refreshSeconds}}", Integer.toString(retryAfter))
                .replace("{{title}}", title)
                .replace("{{details}}", details)
                .replace("{{message}}", messageBlock);
    }

    /** Whole seconds, rounded up, so that "0" only ever means "now". */
    static long estimatedWaitSeconds(Decision.Wait wait) {
        long nanos = Math.max(0, wait.estimatedWaitNanos());
        return nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
    }

    /**
     * Escapes the five characters that are markup in HTML text and attribute values. Written here
     * rather than taken from a library because none of the gateway's dependencies offers it and five
     * replacements do not justify one.
     */
    static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String loadTemplate() {
        try (InputStream in = WaitingRoomResponder.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the waiting page template " + TEMPLATE_RESOURCE + " is missing from the" + " class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the waiting page template " + TEMPLATE_RESOURCE, e);
        }
    }
}
