package dev.readmit.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.cohort.CohortHash;
import dev.readmit.gateway.LeakCheckExtension;
import dev.readmit.gateway.RawHttp;
import java.util.BitSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Open 30 %: of 10,000 distinct clients (key from a header) about 30 % get in, and they are a cohort:
 * the same clients on every pass, exactly those whose cohort position lies below the open fraction. The
 * new-client rate is set far above what the test sends, so only the ramp decides; the clock is frozen so
 * the ramp cannot move between passes.
 */
@ExtendWith(LeakCheckExtension.class)
final class CohortFractionTest {

    private static final int CLIENTS = 10_000;
    private static final int PIPELINE = 200;
    private static final double OPEN = 0.30;
    private static final String SALT = "e2e-cohorts";

    private final ManualClock clock = new ManualClock();
    private final CountingUpstream upstream = new CountingUpstream();
    private AdmittedGateway gateway;

    CohortFractionTest() throws java.io.IOException {}

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @Test
    void admitsAStableThirtyPercentCohortOfTenThousandClients() throws Exception {
        gateway = AdmittedGateway.start(
                upstream.url(),
                "admission:\n"
                        + "  salt: " + SALT + "\n"
                        + "  openPercent: 30\n"
                        + "  newClientsPerSecond: 1000000\n"
                        + "  burst: 1000000\n",
                clock);

        BitSet first = pass();
        BitSet second = pass();

        int admitted = first.cardinality();
        double sigma = Math.sqrt(CLIENTS * OPEN * (1 - OPEN));
        assertThat((double) admitted)
                .as("admitted of %d clients at 30%% (5 sigma = %.0f)", CLIENTS, 5 * sigma)
                .isBetween(CLIENTS * OPEN - 5 * sigma, CLIENTS * OPEN + 5 * sigma);
        assertThat(second).as("the same clients on the second pass").isEqualTo(first);

        CohortHash hash = CohortHash.withSalt(SALT);
        BitSet belowOpenEdge = new BitSet(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            if (CohortHash.position(hash.hash(key(i))) < OPEN) {
                belowOpenEdge.set(i);
            }
        }
        assertThat(first)
                .as("exactly the clients whose cohort position is below 30%")
                .isEqualTo(belowOpenEdge);
        assertThat(upstream.requests()).as("proxied requests").isEqualTo(2 * admitted);
    }

    /** Asks once for every client, pipelining on one kept-alive connection; returns who was admitted. */
    private BitSet pass() throws Exception {
        BitSet admitted = new BitSet(CLIENTS);
        try (KeepAliveClient client = new KeepAliveClient(gateway.address())) {
            for (int from = 0; from < CLIENTS; from += PIPELINE) {
                for (int i = from; i < from + PIPELINE; i++) {
                    client.send("GET", "/seq/" + i, "X-Client-Id: " + key(i), "Accept: application/json");
                }
                client.flush();
                for (int i = from; i < from + PIPELINE; i++) {
                    RawHttp.Response r = client.read();
                    if (r.status() == 200) {
                        assertThat(r.bodyText()).as("response in request order").isEqualTo(Integer.toString(i));
                        admitted.set(i);
                    } else {
                        assertThat(r.status()).isEqualTo(503);
                    }
                }
            }
        }
        return admitted;
    }

    private static String key(int i) {
        return "client-" + i;
    }
}
