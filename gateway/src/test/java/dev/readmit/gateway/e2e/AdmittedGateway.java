package dev.readmit.gateway.e2e;

import dev.readmit.admission.ManualClock;
import dev.readmit.admission.NanoClock;
import dev.readmit.cli.GatewayCommand;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.Transport;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A gateway on 127.0.0.1, an ephemeral port, one worker thread unless the YAML says more, with admission
 * assembled exactly as {@code readmit gateway} assembles it ({@link GatewayCommand#admissionSettings},
 * {@link AdmissionRuntime#start}), but on a {@link ManualClock} that the test moves: decisions, token
 * refills, ramps, health windows and upstream latencies all read it.
 */
final class AdmittedGateway implements AutoCloseable {

    private final ManualClock clock;
    private final AdmissionRuntime admission;
    private final Gateway gateway;

    private AdmittedGateway(ManualClock clock, AdmissionRuntime admission, Gateway gateway) {
        this.clock = clock;
        this.admission = admission;
        this.gateway = gateway;
    }

    /**
     * @param upstreamUrl where the gateway sends requests (ignored when the YAML has an upstream section)
     * @param yaml more configuration (top-level sections), which must contain an {@code admission} section
     */
    static AdmittedGateway start(String upstreamUrl, String yaml, ManualClock clock)
            throws IOException, ConfigException {
        return start(upstreamUrl, yaml, clock, clock);
    }

    /** The same on the system clock, for tests that let real time run (no {@link #clock()}). */
    static AdmittedGateway startOnSystemClock(String upstreamUrl, String yaml) throws IOException, ConfigException {
        return start(upstreamUrl, yaml, NanoClock.system(), null);
    }

    private static AdmittedGateway start(String upstreamUrl, String yaml, NanoClock time, ManualClock clock)
            throws IOException, ConfigException {
        String document = "listen: 127.0.0.1:0\n"
                + (yaml.contains("workerThreads") ? "" : "workerThreads: 1\n")
                + (yaml.contains("upstream:") ? "" : "upstream:\n  url: " + upstreamUrl + "\n")
                + yaml;
        GatewayConfig config = GatewayConfigReader.read(document, "test");
        AdmissionRuntime.Parsed parsed =
                Objects.requireNonNull(GatewayCommand.admissionSettings(config), "the test needs admission on");
        AdmissionRuntime admission =
                AdmissionRuntime.start(parsed.settings(), parsed.control(), time, new SimpleMeterRegistry());
        try {
            Gateway gateway = Gateway.start(config, admission, admission.upstreamObserver(), time, Transport.best());
            return new AdmittedGateway(clock, admission, gateway);
        } catch (IOException | RuntimeException e) {
            admission.close();
            throw e;
        }
    }

    ManualClock clock() {
        return clock;
    }

    AdmissionRuntime admission() {
        return admission;
    }

    Gateway gateway() {
        return gateway;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", gateway.localAddress().getPort());
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            admission.close();
        }
    }
}
