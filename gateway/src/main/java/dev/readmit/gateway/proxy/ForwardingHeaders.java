package dev.readmit.gateway.proxy;

import dev.readmit.gateway.config.HostHeaderPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The header changes a proxy makes on the way through (RFC 9110 section 7.6): hop-by-hop headers
 * removed ({@code Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-*}, {@code TE},
 * {@code Trailer}, {@code Upgrade}), {@code X-Forwarded-For}, {@code X-Forwarded-Proto} and {@code Via}
 * added, {@code Host} preserved or rewritten. {@code Transfer-Encoding} is kept: it tells the codec how
 * the body is framed, and the codec re-frames it for the next hop. A WebSocket upgrade keeps {@code
 * Upgrade: websocket} and {@code Connection: upgrade}.
 *
 * <p>Stateless and thread-safe; it changes the message passed in.
 */
public final class ForwardingHeaders {

    /** The {@code Via} entry this gateway adds: protocol version and pseudonym. */
    public static final AsciiString VIA = AsciiString.cached("1.1 readmit");

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString WEBSOCKET = AsciiString.cached("websocket");

    private ForwardingHeaders() {}

    /** True when the request asks to switch to WebSocket ({@code Connection: upgrade}, {@code Upgrade: websocket}). */
    public static boolean isWebSocketUpgrade(HttpRequest request) {
        HttpHeaders h = request.headers();
        return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && h.containsValue(HttpHeaderNames.UPGRADE, WEBSOCKET, true);
    }

    /**
     * Prepares a client request for the upstream.
     *
     * @param clientAddress the client's IP address as text, appended to {@code X-Forwarded-For}
     * @param upstreamAuthority the {@code Host} to send when the policy is {@link HostHeaderPolicy#REWRITE}
     * @param webSocket keep the upgrade headers
     */
    public static void prepareRequest(
            HttpRequest request,
            String clientAddress,
            HostHeaderPolicy hostPolicy,
            String upstreamAuthority,
            boolean webSocket) {
        HttpHeaders h = request.headers();
        CharSequence upgrade = webSocket ? h.get(HttpHeaderNames.UPGRADE) : null;
        removeHopByHop(h);
        if (webSocket) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        String forwardedFor = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        h.set(X_FORWARDED_PROTO, HTTP);
        h.add(HttpHeaderNames.VIA, VIA);
        if (hostPolicy == HostHeaderPolicy.REWRITE || !h.contains(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, upstreamAuthority);
        }
        String uri = request.uri();
        if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            // Absolute form is for proxies; an origin server expects the origin form (RFC 9112 section 3.2).
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            request.setUri(slash < 0 ? "/" : uri.substring(slash));
        }
    }

    /** Prepares an upstream response for the client; a {@code 101} keeps its upgrade headers. */
    public static void prepareResponse(HttpResponse response) {
        HttpHeaders h = response.headers();
        boolean switching = response.status().code() == 101;
        CharSequence upgrade = switching ? h.get(HttpHeaderNames.UPGRADE) : null;
        removeHopByHop(h);
        if (switching && upgrade != null) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        h.add(HttpHeaderNames.VIA, VIA);
    }

    /** Removes hop-by-hop headers, including every header named in {@code Connection}. */
    static void removeHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamedIn(h, value);
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
        List<CharSequence> proxyHeaders = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
                if (proxyHeaders == null) {
                    proxyHeaders = new ArrayList<>(2);
                }
                proxyHeaders.add(name);
            }
        }
        if (proxyHeaders != null) {
            for (CharSequence name : proxyHeaders) {
                h.remove(name);
            }
        }
    }

    /**
     * Removes every header named in one {@code Connection} value (comma-separated, blanks around names
     * ignored), except {@code Transfer-Encoding}. The common options {@code keep-alive} and {@code close}
     * are matched in place, so the usual {@code Connection} header costs no allocation.
     */
    private static void removeNamedIn(HttpHeaders h, String value) {
        int length = value.length();
        int start = 0;
        while (start <= length) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            int from = start;
            int to = end;
            while (from < to && value.charAt(from) <= ' ') {
                from++;
            }
            while (to > from && value.charAt(to - 1) <= ' ') {
                to--;
            }
            if (to > from) {
                removeNamed(h, value, from, to);
            }
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
    }

    private static void removeNamed(HttpHeaders h, String value, int from, int to) {
        int n = to - from;
        if (n == HttpHeaderValues.KEEP_ALIVE.length()
                && HttpHeaderValues.KEEP_ALIVE.regionMatches(true, 0, value, from, n)) {
            h.remove(HttpHeaderNames.KEEP_ALIVE);
        } else if (n == HttpHeaderValues.CLOSE.length()
                && HttpHeaderValues.CLOSE.regionMatches(true, 0, value, from, n)) {
            h.remove(HttpHeaderValues.CLOSE);
        } else if (n != HttpHeaderNames.TRANSFER_ENCODING.length()
                || !HttpHeaderNames.TRANSFER_ENCODING.regionMatches(true, 0, value, from, n)) {
            h.remove(value.substring(from, to));
        }
    }
}
