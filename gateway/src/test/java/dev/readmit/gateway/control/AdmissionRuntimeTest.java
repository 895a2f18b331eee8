package dev.readmit.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.readmit.admission.AdmissionController;
import dev.readmit.admission.Decision;
import dev.readmit.admission.ManualClock;
import dev.readmit.admission.health.GateColour;
import dev.readmit.admission.ramp.ClassRamp;
import dev.readmit.admission.ramp.RampState;
import dev.readmit.gateway.Await;
import dev.readmit.gateway.admit.AdmissionHandlerNames;
import dev.readmit.gateway.config.ConfigProblem;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.config.ProxyMode;
import dev.readmit.gateway.proxy.UpstreamObserver;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.EventProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime assembled from a configuration, on a manual clock. Its own ticker thread ticks the
 * controller at the clock's time every 100 ms; the tests move the clock and wait until the ticker has
 * caught up ({@link #settle}), so every state seen is the state at a known time.
 */
final class AdmissionRuntimeTest {

    private static final long MILLI = 1_000_000L;
    private static final int DEFAULT_CLASS = 0;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private AdmissionRuntime runtime;

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private AdmissionRuntime start(String admissionYaml) throws Exception {
        ObjectNode section = (ObjectNode) GatewayConfigReader.parse("admission:\n" + admissionYaml, "test")
                .get("admission");
        List<ConfigProblem> problems = new ArrayList<>();
        AdmissionRuntime.Parsed parsed = AdmissionRuntime.parse(section, problems);
        assertThat(problems).isEmpty();
        runtime = AdmissionRuntime.start(parsed.settings(), parsed.control(), clock, new SimpleMeterRegistry());
        return runtime;
    }

    /**
     * Waits until the ticker has completed a tick at the clock's time: moves the clock on by 1 ns twice
     * and waits each time for the snapshot of that instant, which the ticker takes only after finishing
     * the tick before. Adds 2 ns to the clock, which no threshold here is near.
     */
    private void settle() {
        for (int i = 0; i < 2; i++) {
            long now = clock.advanceNanos(1);
            Await.until(
                    "a tick at " + now,
                    () -> runtime.controller().health().lastSnapshot().atNanos() >= now);
        }
    }

    /** {@code total} upstream answers through the runtime's observer, {@code errors} of them 500. */
    private void answers(int total, int errors) {
        UpstreamObserver observer = runtime.upstreamObserver();
        for (int i = 0; i < total; i++) {
            assertThat(observer.tryAcquireSlot()).isTrue();
            observer.requestStarted();
            observer.responseReceived(i < errors ? 500 : 200, MILLI);
        }
    }

    @Test
    void redGateStopsNewAdmissionsButKeepsAdmittedClients() throws Exception {
        start("  openPercent: 100\n"
                + "  newClientsPerSecond: 100\n"
                + "  health: {window: 1s, minRequests: 10}\n"
                + "  breaker: {minimumCalls: 1000, slidingWindowCalls: 1000}\n");
        AdmissionController controller = runtime.controller();
        assertThat(controller.decide("early", DEFAULT_CLASS, clock.nanoTime()))
                .isEqualTo(Decision.Admit.NEWLY_ADMITTED);

        answers(20, 20);
        settle();

        assertThat(controller.health().colour()).isEqualTo(GateColour.RED);
        assertThat(controller.decide("late", DEFAULT_CLASS, clock.nanoTime()))
                .isInstanceOfSatisfying(Decision.Reject.class, r -> assertThat(r.reason())
                        .isEqualTo(Decision.RejectReason.UPSTREAM_UNHEALTHY));
        assertThat(controller.decide("early", DEFAULT_CLASS, clock.nanoTime()))
                .isEqualTo(Decision.Admit.ALREADY_ADMITTED);
        assertThat(controller.effectiveRate())
                .as("new clients per second while red")
                .isZero();
        assertThat(runtime.breaker().getState())
                .as("the breaker has not seen enough calls: the gate alone stopped admissions")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void amberGateHalvesTheNewClientRate() throws Exception {
        start("  newClientsPerSecond: 100\n"
                + "  health: {window: 1s, minRequests: 10, amberErrorRate: 0.01, redErrorRate: 0.5}\n"
                + "  breaker: {minimumCalls: 1000, slidingWindowCalls: 1000}\n");
        answers(100, 3);
        settle();
        assertThat(runtime.controller().health().colour()).isEqualTo(GateColour.AMBER);
        assertThat(runtime.controller().effectiveRate()).isEqualTo(50.0);
    }

    @Test
    void rampAdvancesOnTicksOnlyWhileTheGateIsGreen() throws Exception {
        start("  openPercent: 10\n"
                + "  ramp: {steps: [{percent: 10, hold: 1s}, {percent: 50, hold: 1s}, {percent: 100, hold: 0s}]}\n"
                + "  health: {window: 1s, minRequests: 10, amberErrorRate: 0.01, redErrorRate: 0.5,"
                + " recoveryHold: 0s}\n"
                + "  breaker: {minimumCalls: 1000, slidingWindowCalls: 1000}\n");
        ClassRamp ramp = runtime.controller().plan().ramp(DEFAULT_CLASS);
        assertThat(ramp.openFraction()).isEqualTo(0.10);

        // Amber for 1.2 s, longer than the 1 s hold: the ramp must not move.
        for (int i = 0; i < 3; i++) {
            answers(100, 3);
            settle();
            assertThat(runtime.controller().health().colour()).isEqualTo(GateColour.AMBER);
            assertThat(ramp.state()).isEqualTo(RampState.HOLDING);
            clock.advance(Duration.ofMillis(400));
        }
        settle();
        assertThat(ramp.openFraction()).as("after 1.2 s of amber").isEqualTo(0.10);

        // The errors leave the window: green again, and the hold starts counting.
        clock.advance(Duration.ofMillis(1100));
        settle();
        assertThat(runtime.controller().health().colour()).isEqualTo(GateColour.GREEN);
        assertThat(ramp.state()).isEqualTo(RampState.RAMPING);
        assertThat(ramp.openFraction()).isEqualTo(0.10);

        clock.advance(Duration.ofMillis(900));
        settle();
        assertThat(ramp.openFraction()).as("after 0.9 s of green").isEqualTo(0.10);
        clock.advance(Duration.ofMillis(100));
        settle();
        assertThat(ramp.openFraction()).as("after 1 s of green").isEqualTo(0.50);
    }

    @Test
    void openBreakerStopsNewAdmissionsAndAClosedOneResumesThem() throws Exception {
        start("  openPercent: 100\n"
                + "  newClientsPerSecond: 100\n"
                + "  health: {minRequests: 100000}\n"
                + "  breaker: {failureRatePercent: 50, minimumCalls: 4, slidingWindowCalls: 4, waitInOpen: 1h}\n");
        answers(4, 4);
        settle();
        assertThat(runtime.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(runtime.controller().newAdmissionsStopped()).isTrue();
        assertThat(runtime.controller().decide("new", DEFAULT_CLASS, clock.nanoTime()))
                .isInstanceOf(Decision.Reject.class);

        // A state forced from outside (no upstream outcome) is applied by the next tick.
        runtime.breaker().transitionToClosedState();
        settle();
        assertThat(runtime.controller().newAdmissionsStopped()).isFalse();
        assertThat(runtime.controller().decide("new", DEFAULT_CLASS, clock.nanoTime()))
                .isEqualTo(Decision.Admit.NEWLY_ADMITTED);
    }

    @Test
    void theConfiguredSpareCapacityShareReachesTheController() throws Exception {
        start("  openPercent: 100\n  concurrency: {fullRateBelow: 0.9}\n");
        assertThat(runtime.controller().fullRateBelowOccupancy()).isEqualTo(0.9);
    }

    @Test
    void theBreakerIsFedByTheTickerAndBuildsNoEventPerCall() throws Exception {
        start("  openPercent: 100\n"
                + "  health: {minRequests: 100000}\n"
                + "  breaker: {failureRatePercent: 50, minimumCalls: 4, slidingWindowCalls: 4, waitInOpen: 1h}\n");
        CircuitBreaker breaker = runtime.breaker();
        assertThat(((EventProcessor<?>) breaker.getEventPublisher()).hasConsumers())
                .as("with a consumer registered, the breaker builds an event object for every call")
                .isFalse();
        answers(4, 4);
        settle();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void addsTheHttpAdmissionHandlerOrTheTcpOneByMode() throws Exception {
        start("  openPercent: 100\n");
        EmbeddedChannel http = new EmbeddedChannel();
        runtime.addStages(http.pipeline(), ProxyMode.HTTP);
        assertThat(http.pipeline().get(AdmissionRuntime.STAGE).getClass().getName())
                .isEqualTo(AdmissionHandlerNames.HTTP_HANDLER);
        http.finishAndReleaseAll();

        EmbeddedChannel tcp = new EmbeddedChannel();
        runtime.addStages(tcp.pipeline(), ProxyMode.TCP);
        assertThat(tcp.pipeline().get(AdmissionRuntime.STAGE)).isInstanceOf(TcpAdmissionHandler.class);
        tcp.finishAndReleaseAll();
    }

    @Test
    void ticketKeyFileSignsWithItsFirstLineAndStillVerifiesWithTheLaterOnes() throws Exception {
        String oldKey = "current-key-0123456789abcdef0123456789";
        Path keys =
                Files.writeString(dir.resolve("ticket.key"), oldKey + "\n\nprevious-key-0123456789abcdef012345678\n");
        start("  ticketKeyFile: " + keys + "\n");
        String ticket = issue(runtime);
        runtime.close();

        Path rotated = Files.writeString(
                dir.resolve("rotated.key"), "newer-key-0123456789abcdef0123456789abc\n" + oldKey + "\n");
        start("  ticketKeyFile: " + rotated + "\n");
        assertThat(verify(runtime, ticket))
                .as("signed with what is now a previous key")
                .isNotZero();
        runtime.close();

        Path dropped = Files.writeString(dir.resolve("dropped.key"), "newer-key-0123456789abcdef0123456789abc\n");
        start("  ticketKeyFile: " + dropped + "\n");
        assertThat(verify(runtime, ticket))
                .as("signed with a key no longer in the file")
                .isZero();
    }

    @Test
    void ticketKeyFileWithoutAKeyIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.key"), "\n  \n");
        ObjectNode section =
                (ObjectNode) GatewayConfigReader.parse("admission:\n  ticketKeyFile: " + empty + "\n", "test")
                        .get("admission");
        AdmissionRuntime.Parsed parsed = AdmissionRuntime.parse(section, new ArrayList<>());
        assertThatThrownBy(() -> AdmissionRuntime.ticketKeys(parsed.control()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no key");
    }

    private static String issue(AdmissionRuntime runtime) {
        return AdmissionHandlerNames.tickets(runtime.gate()).issue("alice");
    }

    private static long verify(AdmissionRuntime runtime, String ticket) {
        return AdmissionHandlerNames.tickets(runtime.gate()).verify(ticket);
    }
}
