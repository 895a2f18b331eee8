package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.LeakCheckExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The new-client rate through the gateway, on a manual clock: a full bucket admits exactly {@code burst}
 * new clients at one instant, {@code k / rate} seconds later exactly {@code k} more (k at most the
 * burst), and never more than the burst after a quiet spell.
 */
@ExtendWith(LeakCheckExtension.class)
final class NewClientRateTest {

    private static final int RATE = 10;
    private static final int BURST = 5;

    private final ManualClock clock = new ManualClock();
    private final CountingUpstream upstream = new CountingUpstream();
    private AdmittedGateway gateway;
    private KeepAliveClient client;
    private int nextClient;

    NewClientRateTest() throws java.io.IOException {}

    @BeforeEach
    void start() throws Exception {
        gateway = AdmittedGateway.start(
                upstream.url(),
                "admission:\n"
                        + "  openPercent: 100\n"
                        + "  newClientsPerSecond: " + RATE + "\n"
                        + "  burst: " + BURST + "\n",
                clock);
        client = new KeepAliveClient(gateway.address());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        gateway.close();
        upstream.close();
    }

    /** Sends one request for each of {@code count} clients never seen before; returns how many got in. */
    private int newClients(int count) throws Exception {
        int admitted = 0;
        for (int i = 0; i < count; i++) {
            int status = client.get("/seq/1", "X-Client-Id: new-" + nextClient++, "Accept: application/json")
                    .status();
            assertThat(status).isIn(200, 503);
            admitted += status == 200 ? 1 : 0;
        }
        return admitted;
    }

    @Test
    void admitsExactlyTheBurstAtAFrozenClockThenKPerKOverRateSeconds() throws Exception {
        assertThat(newClients(20)).as("new clients admitted at one instant").isEqualTo(BURST);

        clock.advance(Duration.ofMillis(3 * 1000 / RATE));
        assertThat(newClients(20)).as("after 3 / rate seconds").isEqualTo(3);

        clock.advance(Duration.ofMillis(4 * 1000 / RATE));
        assertThat(newClients(20)).as("after 4 / rate seconds more").isEqualTo(4);

        assertThat(newClients(20)).as("with the clock still").isZero();
    }

    @Test
    void aLongQuietSpellAdmitsNoMoreThanTheBurst() throws Exception {
        assertThat(newClients(BURST)).isEqualTo(BURST);
        clock.advance(Duration.ofSeconds(60));
        assertThat(newClients(10 * BURST))
                .as("after 60 s, worth %d tokens", 60 * RATE)
                .isEqualTo(BURST);
    }

    @Test
    void admittedClientsComeBackWithoutTakingANewClientsToken() throws Exception {
        assertThat(newClients(BURST)).isEqualTo(BURST);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < BURST; i++) {
                assertThat(client.get("/seq/2", "X-Client-Id: new-" + i).status())
                        .as("admitted client %d, round %d", i, round)
                        .isEqualTo(200);
            }
        }
        assertThat(newClients(1)).as("the bucket is still empty").isZero();
        clock.advance(Duration.ofMillis(1000 / RATE));
        assertThat(newClients(1)).as("one token later").isEqualTo(1);
    }
}
