package dev.readmit.gateway.config;

import java.time.Duration;

/**
 * Limits on what a client may send, and how slowly. Sizes are bytes.
 *
 * @param maxInitialLineLength the longest request line; longer gets 414
 * @param maxHeaderSize the most bytes of request headers; more gets 431
 * @param maxChunkSize the largest piece of body the codec hands on at once (a memory bound, not a limit
 *     on body size)
 * @param maxContentLength the largest declared {@code Content-Length} accepted; larger gets 413 before
 *     any body is read (with {@code Expect: 100-continue} the client never sends it). {@link
 *     Long#MAX_VALUE} means no limit: bodies are streamed, never held
 * @param requestHeaderTimeout the longest a client may take to send a request head once it has started
 *     it; exceeded gives 408 and close (slow-client defence)
 * @param clientIdleTimeout how long a kept-alive client connection may sit with no request before it is
 *     closed
 * @param requestBodyTimeout the longest the gateway waits for the next piece of a request body it is ready
 *     to read (not the whole body's time, and not while the upstream is slow to take what it has); exceeded
 *     gives 408 and close, or a close once the response has begun (slow-client defence for bodies)
 * @param responseSendTimeout the longest a client may leave the gateway unable to write the next piece of
 *     a response (its receive window full: it does not read); exceeded, both connections close
 */
public record LimitSettings(
        int maxInitialLineLength,
        int maxHeaderSize,
        int maxChunkSize,
        long maxContentLength,
        Duration requestHeaderTimeout,
        Duration clientIdleTimeout,
        Duration requestBodyTimeout,
        Duration responseSendTimeout) {

    /** Defaults for every limit. */
    public static LimitSettings ofDefaults() {
        return new LimitSettings(
                8192,
                16384,
                16384,
                Long.MAX_VALUE,
                Duration.ofSeconds(10),
                Duration.ofSeconds(75),
                Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }
}
