package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.config.ConfigException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

final class ClientKeyResolverTest {

    private static final SocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 40000);
    private static final SocketAddress PROXY = new InetSocketAddress("10.0.0.5", 40000);

    private final ClientKey into = new ClientKey();

    private static ClientKeyResolver resolver(String yaml) throws ConfigException {
        return new ClientKeyResolver(AdmissionSettingsTest.parse(yaml), new FakeTickets());
    }

    private static HttpRequest get(String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    @Test
    void defaultChainTakesTheClientIdHeaderFirst() throws ConfigException {
        resolver("admission: {}")
                .resolve(get("/", "X-Client-Id", "agent-42", "Cookie", "readmit=t.other"), CLIENT, into);

        assertThat(into.key()).hasToString("agent-42");
        assertThat(into.rule()).hasToString("header:X-Client-Id");
        assertThat(into.hasValidTicket()).isTrue();
    }

    @Test
    void defaultChainFallsBackToTheClientInsideAValidTicket() throws ConfigException {
        resolver("admission: {}").resolve(get("/", "Cookie", "theme=dark; readmit=t.alice"), CLIENT, into);

        assertThat(into.rule()).hasToString("ticket");
        assertThat(into.key()).hasToString(String.format("%016x", FakeTickets.hash("alice")));
        assertThat(into.ticket()).hasToString("t.alice");
        assertThat(into.ticketClientHash()).isEqualTo(FakeTickets.hash("alice"));
    }

    @Test
    void anInvalidTicketFallsThroughToTheSourceAddress() throws ConfigException {
        resolver("admission: {}").resolve(get("/", "Readmit-Ticket", "forged"), CLIENT, into);

        assertThat(into.rule()).hasToString("source");
        assertThat(into.key()).hasToString("203.0.113.7");
        assertThat(into.ticket()).hasToString("forged");
        assertThat(into.hasValidTicket()).isFalse();
    }

    @Test
    void theTicketHeaderWinsOverTheTicketCookie() throws ConfigException {
        resolver("admission: {}")
                .resolve(get("/", "Readmit-Ticket", "t.api", "Cookie", "readmit=t.browser"), CLIENT, into);

        assertThat(into.ticket()).hasToString("t.api");
    }

    @Test
    void cookieRuleReadsTheNamedCookie() throws ConfigException {
        resolver("admission: {clientKey: [{cookie: sid}]}")
                .resolve(get("/", "Cookie", "a=1; sid=s-123; b=2"), CLIENT, into);

        assertThat(into.key()).hasToString("s-123");
        assertThat(into.rule()).hasToString("cookie:sid");
    }

    @Test
    void queryRuleReadsAndDecodesTheParameter() throws ConfigException {
        ClientKeyResolver resolver = resolver("admission: {clientKey: [{query: client}]}");

        resolver.resolve(get("/sync?clientx=no&client=dev%2F7+a&x=1"), CLIENT, into);
        assertThat(into.key()).hasToString("dev/7 a");
        assertThat(into.rule()).hasToString("query:client");

        resolver.resolve(get("/sync?x=1#client=frag"), CLIENT, into);
        assertThat(into.rule()).hasToString("source");
    }

    @Test
    void authorizationRuleKeysOnTheSha256OfTheHeaderNeverTheCredential() throws ConfigException {
        resolver("admission: {clientKey: [authorization]}")
                .resolve(get("/", "Authorization", "Bearer secret-token"), CLIENT, into);

        // sha256("Bearer secret-token"), computed independently with sha256sum.
        assertThat(into.key()).hasToString("86e774bff90b0fe5f8ec00ffd9e579c653705ca16285d09d992ae2bfb58bc308");
        assertThat(into.key().toString()).doesNotContain("secret");
        assertThat(into.rule()).hasToString("authorization");
    }

    @Test
    void authorizationHashMatchesAKnownVector() {
        // FIPS 180-2 example: sha256("abc").
        assertThat(ClientKeyResolver.authorizationHash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void sourceIgnoresForwardedForFromAnUntrustedPeer() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [10.0.0.0/8]}")
                .resolve(get("/", "X-Forwarded-For", "198.51.100.1"), CLIENT, into);

        assertThat(into.key()).hasToString("203.0.113.7");
    }

    @Test
    void sourceWalksForwardedForRightToLeftPastTrustedProxies() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [10.0.0.0/8, 192.168.1.1]}")
                .resolve(
                        get(
                                "/",
                                "X-Forwarded-For",
                                "1.1.1.1, 198.51.100.9, 192.168.1.1",
                                "X-Forwarded-For",
                                "10.9.9.9"),
                        PROXY,
                        into);

        // 10.9.9.9 and 192.168.1.1 are trusted hops; 198.51.100.9 is the client; 1.1.1.1 is its claim.
        assertThat(into.key()).hasToString("198.51.100.9");
    }

    @Test
    void sourceTakesTheLeftmostAddressWhenEveryHopIsTrusted() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [10.0.0.0/8]}")
                .resolve(get("/", "X-Forwarded-For", "10.1.1.1,10.2.2.2"), PROXY, into);

        assertThat(into.key()).hasToString("10.1.1.1");
    }

    @Test
    void sourceStopsAtAnEntryThatIsNoAddress() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [10.0.0.0/8]}")
                .resolve(get("/", "X-Forwarded-For", "198.51.100.9, pick-me, 10.2.2.2"), PROXY, into);

        assertThat(into.key()).hasToString("10.2.2.2");
    }

    @Test
    void sourceWithoutForwardedForIsTheTrustedPeer() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [10.0.0.0/8]}")
                .resolve(get("/"), PROXY, into);

        assertThat(into.key()).hasToString("10.0.0.5");
    }

    @Test
    void ipv6ForwardedForIsCanonicalised() throws ConfigException {
        resolver("admission: {clientKey: [source], trustedProxies: [\"::1\"]}")
                .resolve(get("/", "X-Forwarded-For", "2001:DB8:0:0:0:0:0:1"), new InetSocketAddress("::1", 1234), into);

        assertThat(into.key()).hasToString("2001:db8::1");
    }

    @Test
    void whenNoRuleYieldsAKeyTheSourceAddressIs() throws ConfigException {
        resolver("admission: {clientKey: [{header: X-Device}, {cookie: sid}]}").resolve(get("/"), CLIENT, into);

        assertThat(into.key()).hasToString("203.0.113.7");
        assertThat(into.rule()).hasToString("source");
    }

    @Test
    void anEmptyHeaderDoesNotCountAsAKey() throws ConfigException {
        resolver("admission: {}").resolve(get("/", "X-Client-Id", ""), CLIENT, into);

        assertThat(into.rule()).hasToString("source");
    }

    @Test
    void onlyTheExactTicketCookieNameCounts() throws ConfigException {
        resolver("admission: {}").resolve(get("/", "Cookie", "notreadmit=t.mallory"), CLIENT, into);

        assertThat(into.ticket()).isNull();
        assertThat(into.rule()).hasToString("source");
    }

    @Test
    void cookiesSplitOverSeveralHeadersAreAllRead() throws ConfigException {
        resolver("admission: {clientKey: [{cookie: sid}, ticket]}")
                .resolve(get("/", "Cookie", "readmit=t.zoe", "Cookie", "sid=s-9"), CLIENT, into);

        assertThat(into.key()).hasToString("s-9");
        assertThat(into.ticket()).hasToString("t.zoe");
    }
}
