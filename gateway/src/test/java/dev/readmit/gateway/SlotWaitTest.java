package dev.readmit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.proxy.UpstreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy tells the observer how long an admitted request waited at the gateway for an upstream slot,
 * apart from the upstream's own latency, so that the health gate judges what the client waited (issue 6).
 */
@ExtendWith(LeakCheckExtension.class)
final class SlotWaitTest {

    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock(1_000 * MS);
    private final BlockingQueue<UpstreamObserver.SlotWaiter> parked = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> slotWaits = new LinkedBlockingQueue<>();
    private volatile boolean slotFree;

    private final UpstreamObserver observer = new UpstreamObserver() {
        @Override
        public boolean tryAcquireSlot() {
            return slotFree;
        }

        @Override
        public void awaitSlot(UpstreamObserver.SlotWaiter waiter) {
            parked.add(waiter);
        }

        @Override
        public void responseReceived(int status, long latencyNanos, long slotWaitNanos) {
            slotWaits.add(slotWaitNanos);
        }
    };

    private ScriptedUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new ScriptedUpstream();
        gateway = Gateway.start(
                GatewayConfigReader.read(
                        "listen: 127.0.0.1:0\nworkerThreads: 1\nupstream:\n  url: " + upstream.url() + "\n", "test"),
                AdmissionStages.NONE,
                observer,
                clock,
                Transport.best());
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
    }

    @Test
    void reportsTheTimeARequestWaitedForASlot() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            raw.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
            UpstreamObserver.SlotWaiter waiter = parked.poll(10, TimeUnit.SECONDS);
            assertThat(waiter).as("parked for a slot").isNotNull();
            clock.advanceNanos(40 * MS);
            assertThat(waiter.takeSlot()).isTrue();
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(slotWaits.poll(10, TimeUnit.SECONDS)).isEqualTo(40 * MS);
    }

    @Test
    void reportsNoWaitForARequestThatFoundASlotFree() throws Exception {
        slotFree = true;
        try (RawHttp raw = new RawHttp(gateway.localAddress())) {
            assertThat(raw.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
        assertThat(slotWaits.poll(10, TimeUnit.SECONDS)).isZero();
        assertThat(parked).isEmpty();
    }
}
