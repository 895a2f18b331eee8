package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tickets end to end: issued on admission (cookie and header), honoured by a restarted gateway that
 * shares the key file even when nobody new is let in, refused when tampered with or signed with another
 * key.
 */
@ExtendWith(LeakCheckExtension.class)
final class TicketTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final CountingUpstream upstream = new CountingUpstream();
    private AdmittedGateway gateway;

    TicketTest() throws java.io.IOException {}

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private Path keyFile(String name, String key) throws Exception {
        return Files.writeString(dir.resolve(name), key + "\n");
    }

    private void restart(Path keyFile, int openPercent) throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        gateway = AdmittedGateway.start(
                upstream.url(),
                "admission:\n"
                        + "  openPercent: " + openPercent + "\n"
                        + "  newClientsPerSecond: 1000\n"
                        + "  ticketKeyFile: " + keyFile + "\n",
                clock);
    }

    /** Admits {@code clientId} at 100 % and returns the ticket it was handed. */
    private String ticketFor(String clientId) throws Exception {
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            RawHttp.Response r = client.get("/seq/1", "X-Client-Id: " + clientId);
            assertThat(r.status()).isEqualTo(200);
            return r.header("readmit-ticket");
        }
    }

    private int status(String... headers) throws Exception {
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            return client.get("/seq/7", headers).status();
        }
    }

    @Test
    void admittedClientGetsAnHttpOnlyLaxCookieAndTheSameTicketInAHeader() throws Exception {
        restart(keyFile("a.key", "first-ticket-key-0123456789abcdef-0123456789"), 100);
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            RawHttp.Response first = client.get("/seq/1", "X-Client-Id: alice");
            assertThat(first.status()).isEqualTo(200);
            String ticket = first.header("readmit-ticket");
            assertThat(ticket).isNotBlank().doesNotContain(" ", ";", ",");
            String cookie = first.header("set-cookie");
            assertThat(cookie).startsWith("readmit=" + ticket + ";").contains("Path=/");
            assertThat(cookie.toLowerCase(java.util.Locale.ROOT))
                    .contains("; httponly")
                    .contains("; samesite=lax")
                    .doesNotContain("secure");

            RawHttp.Response withTicket = client.get("/seq/2", "X-Client-Id: alice", "Readmit-Ticket: " + ticket);
            assertThat(withTicket.status()).isEqualTo(200);
            assertThat(withTicket.header("readmit-ticket"))
                    .as("a client presenting a valid ticket is not handed another")
                    .isNull();
            assertThat(withTicket.header("set-cookie")).isNull();
        }
    }

    @Test
    void ticketKeepsItsHolderAdmittedAfterARestartThatAdmitsNobodyNew() throws Exception {
        Path key = keyFile("a.key", "first-ticket-key-0123456789abcdef-0123456789");
        restart(key, 100);
        String ticket = ticketFor("alice");

        restart(key, 0);
        assertThat(status("X-Client-Id: alice", "Readmit-Ticket: " + ticket))
                .as("ticket in the header")
                .isEqualTo(200);
        assertThat(status("X-Client-Id: alice", "Cookie: theme=dark; readmit=" + ticket))
                .as("ticket in the cookie")
                .isEqualTo(200);
        assertThat(status("Readmit-Ticket: " + ticket))
                .as("ticket alone, the client key taken from it")
                .isEqualTo(200);
        assertThat(status("X-Client-Id: bob", "Accept: application/json"))
                .as("a new client")
                .isEqualTo(503);
    }

    @Test
    void tamperedTicketIsNotAdmitted() throws Exception {
        Path key = keyFile("a.key", "first-ticket-key-0123456789abcdef-0123456789");
        restart(key, 100);
        String ticket = ticketFor("alice");
        restart(key, 0);

        for (int at : new int[] {0, ticket.length() / 3, ticket.length() / 2, ticket.length() - 2}) {
            char[] chars = ticket.toCharArray();
            chars[at] = chars[at] == 'A' ? 'B' : 'A';
            String tampered = new String(chars);
            assertThat(status("X-Client-Id: alice", "Readmit-Ticket: " + tampered))
                    .as("ticket with character %d flipped", at)
                    .isEqualTo(503);
            assertThat(status("X-Client-Id: alice", "Cookie: readmit=" + tampered))
                    .as("cookie with character %d flipped", at)
                    .isEqualTo(503);
        }
        assertThat(status("X-Client-Id: alice", "Readmit-Ticket: " + ticket))
                .as("the untampered ticket")
                .isEqualTo(200);
    }

    @Test
    void ticketSignedWithAnotherKeyIsNotAdmitted() throws Exception {
        Path ours = keyFile("ours.key", "first-ticket-key-0123456789abcdef-0123456789");
        Path theirs = keyFile("theirs.key", "another-ticket-key-9876543210fedcba-98765");
        restart(theirs, 100);
        String foreign = ticketFor("mallory");
        restart(ours, 100);
        String own = ticketFor("alice");

        restart(ours, 0);
        assertThat(status("X-Client-Id: mallory", "Readmit-Ticket: " + foreign)).isEqualTo(503);
        assertThat(status("X-Client-Id: alice", "Readmit-Ticket: " + own)).isEqualTo(200);
    }
}
