package dev.readmit.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.gateway.config.HostHeaderPolicy;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ForwardingHeadersTest {

    private static HttpRequest request(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    @Test
    void removesHeadersNamedInConnectionAndTheFixedHopByHopSet() {
        HttpRequest r = request("/");
        r.headers()
                .add("Connection", "keep-alive, X-A")
                .add("Connection", "x-b")
                .add("X-A", "1")
                .add("X-B", "2")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Authorization", "Basic x")
                .add("proxy-connection", "close")
                .add("TE", "trailers")
                .add("Trailer", "X-Sum")
                .add("Upgrade", "h2c")
                .add("Transfer-Encoding", "chunked")
                .add("X-Kept", "3");
        ForwardingHeaders.prepareRequest(r, "192.0.2.1", HostHeaderPolicy.PRESERVE, "up:81", false);
        assertThat(r.headers().names().stream()
                        .map(n -> n.toLowerCase(Locale.ROOT))
                        .distinct())
                .containsExactlyInAnyOrder(
                        "transfer-encoding", "x-kept", "x-forwarded-for", "x-forwarded-proto", "via", "host");
    }

    @Test
    void keepsTheUpgradeHeadersOfAWebSocketRequest() {
        HttpRequest r = request("/ws");
        r.headers().add("Connection", "keep-alive, Upgrade").add("Upgrade", "websocket");
        assertThat(ForwardingHeaders.isWebSocketUpgrade(r)).isTrue();
        ForwardingHeaders.prepareRequest(r, "192.0.2.1", HostHeaderPolicy.PRESERVE, "up", true);
        assertThat(r.headers().get("Connection")).isEqualTo("upgrade");
        assertThat(r.headers().get("Upgrade")).isEqualTo("websocket");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "PRESERVE | public.example | public.example",
                "REWRITE | public.example | up:81",
                "PRESERVE | | up:81",
            })
    void preservesOrRewritesHost(HostHeaderPolicy policy, String clientHost, String expected) {
        HttpRequest r = request("/");
        if (clientHost != null) {
            r.headers().set("Host", clientHost);
        }
        ForwardingHeaders.prepareRequest(r, "192.0.2.1", policy, "up:81", false);
        assertThat(r.headers().get("Host")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http://public.example/a/b?c=d | /a/b?c=d",
                "HTTPS://public.example | /",
                "/already/origin | /already/origin",
                "* | *",
            })
    void sendsTheOriginFormUpstream(String uri, String expected) {
        HttpRequest r = request(uri);
        ForwardingHeaders.prepareRequest(r, "192.0.2.1", HostHeaderPolicy.PRESERVE, "up", false);
        assertThat(r.uri()).isEqualTo(expected);
    }

    @Test
    void appendsToForwardedForAndOverwritesForwardedProto() {
        HttpRequest r = request("/");
        r.headers().add("X-Forwarded-For", "203.0.113.7").add("X-Forwarded-Proto", "https");
        ForwardingHeaders.prepareRequest(r, "192.0.2.1", HostHeaderPolicy.PRESERVE, "up", false);
        assertThat(r.headers().get("X-Forwarded-For")).isEqualTo("203.0.113.7, 192.0.2.1");
        assertThat(r.headers().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(r.headers().getAll("Via")).containsExactly("1.1 readmit");
    }

    @Test
    void stripsHopByHopResponseHeadersAndAddsVia() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers()
                .add("Connection", "close, X-Hop")
                .add("X-Hop", "1")
                .add("Via", "1.1 origin")
                .add("X-End", "2");
        ForwardingHeaders.prepareResponse(r);
        assertThat(r.headers().names().stream()
                        .map(n -> n.toLowerCase(Locale.ROOT))
                        .distinct())
                .containsExactlyInAnyOrder("via", "x-end");
        assertThat(r.headers().getAll("Via")).containsExactly("1.1 origin", "1.1 readmit");
    }
}
