package dev.readmit.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.Decision;
import dev.readmit.admission.ManualClock;
import dev.readmit.gateway.admit.AdmissionDecider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP admission stage on an {@link EmbeddedChannel} with frozen event-loop time: the rechecks are
 * run by advancing that time, and the maximum wait is judged on a manual clock.
 */
final class TcpAdmissionHandlerTest {

    private static final int CLASS = 2;
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);
    private static final Decision WAIT =
            new Decision.Wait(3, Duration.ofSeconds(30).toNanos(), 30, false);

    private final ManualClock clock = new ManualClock();
    private final Queue<Decision> script = new ArrayDeque<>();
    private final List<String> asked = new ArrayList<>();
    private final AdmissionDecider decider = (key, classIndex, now) -> {
        assertThat(classIndex).isEqualTo(CLASS);
        asked.add(key.toString());
        Decision next = script.size() > 1 ? script.poll() : script.peek();
        return next;
    };
    private int sessionsStarted;
    private EmbeddedChannel channel;

    @AfterEach
    void finish() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void connect(Decision... decisions) throws Exception {
        script.addAll(List.of(decisions));
        channel = new EmbeddedChannel(false, false);
        channel.pipeline()
                .addLast("admission", new TcpAdmissionHandler(decider, CLASS, clock, MAX_WAIT.toNanos()))
                .addLast("session", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        sessionsStarted++;
                    }
                });
        channel.register();
        // Frozen right after channelActive scheduled the first recheck: from here on only
        // eventLoopTimePasses moves the event loop's time.
        channel.freezeTime();
    }

    /** Lets the event loop's time pass and runs what was due. */
    private void eventLoopTimePasses(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void admittedConnectionStartsItsSessionAtOnceAndTheStageLeaves() throws Exception {
        connect(Decision.Admit.NEWLY_ADMITTED);
        assertThat(sessionsStarted).isEqualTo(1);
        assertThat(channel.pipeline().get("admission")).isNull();
        assertThat(asked).hasSize(1);
    }

    @Test
    void waitingConnectionIsHeldAndAskedAgainUntilAdmitted() throws Exception {
        connect(WAIT, WAIT, Decision.Admit.NEWLY_ADMITTED);
        assertThat(sessionsStarted).isZero();
        assertThat(channel.isActive()).isTrue();

        eventLoopTimePasses(TimeUnit.NANOSECONDS.toMillis(TcpAdmissionHandler.RECHECK_NANOS));
        assertThat(asked).hasSize(2);
        assertThat(sessionsStarted).isZero();

        eventLoopTimePasses(TimeUnit.NANOSECONDS.toMillis(TcpAdmissionHandler.RECHECK_NANOS));
        assertThat(asked).hasSize(3);
        assertThat(sessionsStarted).isEqualTo(1);
        assertThat(channel.pipeline().get("admission")).isNull();
        assertThat(asked).as("every decision for the same client").containsOnly(asked.get(0));
    }

    @Test
    void connectionStillWaitingAtTheMaximumWaitIsClosedWithoutASession() throws Exception {
        connect(WAIT);
        clock.advance(MAX_WAIT.minusMillis(1));
        eventLoopTimePasses(200);
        assertThat(channel.isOpen()).as("1 ms before the maximum wait").isTrue();

        clock.advance(Duration.ofMillis(1));
        eventLoopTimePasses(200);
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessionsStarted).isZero();
    }

    @Test
    void rejectedConnectionIsClosedAtOnce() throws Exception {
        connect(new Decision.Reject(Decision.RejectReason.UPSTREAM_UNHEALTHY, 30));
        assertThat(channel.isOpen()).isFalse();
        assertThat(sessionsStarted).isZero();
    }

    @Test
    void clientThatLeavesWhileHeldIsNotAskedAboutAgain() throws Exception {
        connect(WAIT);
        channel.close();
        eventLoopTimePasses(1000);
        assertThat(asked).hasSize(1);
        assertThat(sessionsStarted).isZero();
    }
}
