package dev.readmit.profiles.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.readmit.profiles.format.ClientKeyPlacement;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RequestWriterTest {
    private static final URI TARGET = URI.create("http://127.0.0.1:8080/base/");

    private static String head(
            RequestWriter w, PlannedRequest r, String key, String ticket, Map<String, String> cookies, boolean close) {
        ByteBuf out = Unpooled.buffer();
        try {
            w.writeHead(out, r, w.identity(key), ticket, cookies, close);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void writesTheKeyAsAHeaderAfterTheHost() {
        RequestWriter w = new RequestWriter(TARGET, ClientKeyPlacement.DEFAULT);

        assertThat(head(w, new PlannedRequest(0, "GET", "/a?x=1", 0), "c-7", null, Map.of(), false))
                .isEqualTo("GET /base/a?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nX-Client-Key: c-7\r\n\r\n");
    }

    @Test
    void addsTheKeyToTheQueryWithTheRightSeparator() {
        RequestWriter w = new RequestWriter(
                URI.create("http://h"), new ClientKeyPlacement(ClientKeyPlacement.Where.QUERY, "client key"));

        assertThat(head(w, new PlannedRequest(0, "GET", "/a", 0), "k&1", null, Map.of(), false))
                .startsWith("GET /a?client+key=k%261 HTTP/1.1\r\nhost: h\r\n");
        assertThat(head(w, new PlannedRequest(0, "GET", "/a?x=1", 0), "k", null, Map.of(), false))
                .startsWith("GET /a?x=1&client+key=k HTTP/1.1\r\n");
    }

    @Test
    void sendsTheTicketAndTheKeptCookiesWithTheCookieKey() {
        RequestWriter w = new RequestWriter(
                URI.create("http://h:81"), new ClientKeyPlacement(ClientKeyPlacement.Where.COOKIE, "ck"));
        Map<String, String> cookies = new LinkedHashMap<>();
        cookies.put("rt", "t1");
        cookies.put("s", "2");

        assertThat(head(w, new PlannedRequest(0, "POST", "/up", 5), "k", "tk", cookies, true))
                .isEqualTo("POST /up HTTP/1.1\r\nhost: h:81\r\nReadmit-Ticket: tk\r\ncookie: ck=k; rt=t1; s=2\r\n"
                        + "content-length: 5\r\nconnection: close\r\n\r\n");
    }

    @Test
    void givesAnEmptyPutAContentLength() {
        RequestWriter w = new RequestWriter(URI.create("http://h"), ClientKeyPlacement.DEFAULT);

        assertThat(head(w, new PlannedRequest(0, "PUT", "/x", 0), "k", null, Map.of(), false))
                .endsWith("content-length: 0\r\n\r\n");
    }

    @Test
    void refusesAKeyThatWouldSplitTheHeader() {
        RequestWriter w = new RequestWriter(URI.create("http://h"), ClientKeyPlacement.DEFAULT);

        assertThatThrownBy(() -> w.identity("k\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client key")
                .hasMessageContaining("index 1");
    }

    @Test
    void refusesAPathWithASpaceAndAMethodThatIsNotAToken() {
        assertThatThrownBy(() -> RequestWriter.checkRequest("c-1", 2, new PlannedRequest(0, "GET", "/a b", 0)))
                .hasMessage("client \"c-1\" request 3: path \"/a b\" holds a space or control character at index 2"
                        + " (percent-encode it)");
        assertThatThrownBy(() -> RequestWriter.checkRequest("c-1", 0, new PlannedRequest(0, "G T", "/", 0)))
                .hasMessageContaining("method \"G T\" is not an HTTP token");
    }
}
