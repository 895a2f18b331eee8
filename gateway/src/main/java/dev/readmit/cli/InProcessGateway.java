package dev.readmit.cli;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.Gateway;
import dev.readmit.gateway.Transport;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.control.AdmissionRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;

/**
 * A readmit gateway with admission switched on, started inside this JVM from a validated
 * configuration (the demo and the storm benchmark put one in front of the simulated upstream). Close
 * it to stop the gateway and then its admission ticker. Not thread safe to close twice concurrently.
 */
final class InProcessGateway implements AutoCloseable {

    private final AdmissionRuntime runtime;
    private final Gateway gateway;

    private InProcessGateway(AdmissionRuntime runtime, Gateway gateway) {
        this.runtime = runtime;
        this.gateway = gateway;
    }

    /**
     * Starts admission and the gateway; returns once it listens.
     *
     * @throws ConfigException when the admission section is invalid or switched off
     * @throws IOException when the gateway cannot bind or resolve its upstream
     */
    static InProcessGateway start(GatewayConfig config) throws ConfigException, IOException {
        AdmissionRuntime.Parsed admission = GatewayCommand.admissionSettings(config);
        if (admission == null) {
            throw new IllegalArgumentException("the in-process gateway needs an enabled admission section");
        }
        AdmissionRuntime runtime = AdmissionRuntime.start(
                admission.settings(), admission.control(), NanoClock.system(), new SimpleMeterRegistry());
        try {
            Gateway gateway =
                    Gateway.start(config, runtime, runtime.upstreamObserver(), NanoClock.system(), Transport.best());
            return new InProcessGateway(runtime, gateway);
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** Where clients connect: {@code http://127.0.0.1:port}. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + gateway.localAddress().getPort());
    }

    AdmissionRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            runtime.close();
        }
    }
}
