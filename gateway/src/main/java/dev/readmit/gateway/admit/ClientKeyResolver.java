package dev.readmit.gateway.admit;

import dev.readmit.gateway.admit.AdmissionSettings.KeyKind;
import dev.readmit.gateway.admit.AdmissionSettings.KeyRule;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Finds the client key of a request by trying the configured rules in order; the first rule that
 * yields a non-empty value wins. If none does, the source address is the key (rule {@code source}),
 * so every request has a client.
 *
 * <ul>
 *   <li>{@code header NAME}: the header's value as sent (no copy).
 *   <li>{@code cookie NAME}: the cookie's value, decoded with Netty's {@link ServerCookieDecoder}
 *       (strict).
 *   <li>{@code query NAME}: the query parameter's value, percent-decoded.
 *   <li>{@code authorization}: the lower-case hex SHA-256 of the whole {@code Authorization} value;
 *       the credential itself is never the key, so it never reaches logs, metrics or the core.
 *   <li>{@code ticket}: the client hash inside a valid ticket as 16 hex digits.
 *   <li>{@code source}: the socket's remote address; when that address is a trusted proxy,
 *       {@code X-Forwarded-For} is walked right to left past trusted proxies and the first untrusted
 *       address is the client. An entry that is not an IP literal stops the walk at the last address
 *       seen, so a client cannot pick its key by sending garbage.
 * </ul>
 *
 * <p>The ticket (header {@code Readmit-Ticket} first, then cookie {@code readmit}) is read and
 * verified on every request, whatever the rules, because the handler needs it to decide whether to
 * issue a ticket.
 *
 * <p>Thread safe (immutable; the SHA-256 digest is per thread). Allocation: none for the header rule
 * and a cached source address; the others allocate their value.
 */
public final class ClientKeyResolver {

    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-256");
        }
    };

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    private final KeyRule[] rules;
    private final AsciiString[] headerNames;
    private final Cidr[] trustedProxies;
    private final AsciiString ticketHeader;
    private final String ticketCookie;
    private final String ticketCookiePrefix;
    private final TicketCodec tickets;
    private final KeyRule fallbackRule = new KeyRule(KeyKind.SOURCE, null);

    /** Builds a resolver for the rules, trusted proxies and ticket names of {@code settings}. */
    public ClientKeyResolver(AdmissionSettings settings, TicketCodec tickets) {
        this.rules = settings.clientKey().toArray(KeyRule[]::new);
        this.headerNames = new AsciiString[rules.length];
        for (int i = 0; i < rules.length; i++) {
            if (rules[i].kind() == KeyKind.HEADER) {
                headerNames[i] = AsciiString.cached(rules[i].name());
            }
        }
        this.trustedProxies = settings.trustedProxies().toArray(Cidr[]::new);
        this.ticketHeader = AsciiString.cached(settings.ticket().headerName());
        this.ticketCookie = settings.ticket().cookieName();
        this.ticketCookiePrefix = ticketCookie + "=";
        this.tickets = tickets;
    }

    /**
     * Resolves the key of {@code request} into {@code into}.
     *
     * @param request the request's head
     * @param remote the channel's remote address; any {@link SocketAddress}, an {@link
     *     InetSocketAddress} for the source rule's address logic
     * @param into the channel's reusable result holder
     */
    public void resolve(HttpRequest request, SocketAddress remote, ClientKey into) {
        HttpHeaders headers = request.headers();
        List<Cookie> cookies = null;
        CharSequence ticket = headers.get(ticketHeader);
        if (ticket == null || ticket.length() == 0) {
            ticket = null;
            String cookieHeader = headers.get(HttpHeaderNames.COOKIE);
            // Browsers send many cookies: decode them only when the ticket cookie may be among them.
            if (cookieHeader != null && cookieHeader.contains(ticketCookiePrefix)) {
                cookies = cookies(headers);
                ticket = cookieValue(cookies, ticketCookie);
            }
        }
        long ticketHash = ticket == null ? 0L : tickets.verify(ticket);
        into.ticket(ticket, ticketHash);

        for (int i = 0; i < rules.length; i++) {
            KeyRule rule = rules[i];
            CharSequence key =
                    switch (rule.kind()) {
                        case HEADER -> headers.get(headerNames[i]);
                        case COOKIE -> cookieValue(cookies == null ? cookies = cookies(headers) : cookies, rule.name());
                        case QUERY -> queryValue(request.uri(), rule.name());
                        case AUTHORIZATION -> authorizationHash(headers.get(HttpHeaderNames.AUTHORIZATION));
                        case TICKET -> ticketHash == 0L ? null : hex(ticketHash);
                        case SOURCE -> source(headers, remote, into);
                    };
            if (key != null && key.length() > 0) {
                into.set(key, rule);
                return;
            }
        }
        into.set(source(headers, remote, into), fallbackRule);
    }

    private static List<Cookie> cookies(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.COOKIE)) {
            return List.of();
        }
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        if (values.size() == 1) {
            return ServerCookieDecoder.STRICT.decodeAll(values.get(0));
        }
        return ServerCookieDecoder.STRICT.decodeAll(String.join("; ", values));
    }

    private static String cookieValue(List<Cookie> cookies, String name) {
        for (int i = 0; i < cookies.size(); i++) {
            Cookie cookie = cookies.get(i);
            if (cookie.name().equals(name)) {
                return cookie.value();
            }
        }
        return null;
    }

    /** The first value of query parameter {@code name}, percent-decoded; null if absent. */
    static String queryValue(String uri, String name) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return null;
        }
        int end = uri.indexOf('#', query);
        if (end < 0) {
            end = uri.length();
        }
        int start = query + 1;
        while (start < end) {
            int amp = uri.indexOf('&', start);
            int paramEnd = amp < 0 || amp > end ? end : amp;
            int eq = uri.indexOf('=', start);
            if (eq > start
                    && eq < paramEnd
                    && eq - start == name.length()
                    && uri.regionMatches(start, name, 0, name.length())) {
                String raw = uri.substring(eq + 1, paramEnd);
                return raw.indexOf('%') >= 0 || raw.indexOf('+') >= 0
                        ? QueryStringDecoder.decodeComponent(raw, StandardCharsets.UTF_8)
                        : raw;
            }
            start = paramEnd + 1;
        }
        return null;
    }

    /** Lower-case hex SHA-256 of the header value's UTF-8 bytes; null if there is no header. */
    static String authorizationHash(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            return null;
        }
        MessageDigest digest = SHA256.get();
        digest.reset();
        return ByteBufUtil.hexDump(digest.digest(authorization.getBytes(StandardCharsets.UTF_8)));
    }

    private static String hex(long clientHash) {
        String digits = Long.toHexString(clientHash);
        return digits.length() == 16 ? digits : "0".repeat(16 - digits.length()) + digits;
    }

    private CharSequence source(HttpHeaders headers, SocketAddress remote, ClientKey cache) {
        if (remote != cache.cachedRemote) {
            cache.cachedRemote = remote;
            if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
                cache.cachedRemoteBytes = Cidr.unmapped(inet.getAddress().getAddress());
                cache.cachedRemoteText = NetUtil.bytesToIpAddress(cache.cachedRemoteBytes);
            } else {
                cache.cachedRemoteBytes = null;
                cache.cachedRemoteText = String.valueOf(remote);
            }
        }
        if (cache.cachedRemoteBytes == null || !trusted(cache.cachedRemoteBytes)) {
            return cache.cachedRemoteText;
        }
        return forwardedClient(headers.getAll(X_FORWARDED_FOR), cache.cachedRemoteText);
    }

    /**
     * Walks {@code X-Forwarded-For} (all its headers, in order) right to left from a trusted peer.
     *
     * @param trustedPeer the text of the trusted proxy that sent the request
     */
    private String forwardedClient(List<String> forwardedFor, String trustedPeer) {
        String lastSeen = trustedPeer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String value = forwardedFor.get(h);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                if (entry.isEmpty()) {
                    continue;
                }
                byte[] address = Cidr.parseAddress(entry);
                if (address == null) {
                    return lastSeen;
                }
                lastSeen = NetUtil.bytesToIpAddress(address);
                if (!trusted(address)) {
                    return lastSeen;
                }
            }
        }
        return lastSeen;
    }

    private boolean trusted(byte[] address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
