package dev.readmit.gateway;

import dev.readmit.admission.NanoClock;
import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;
import dev.readmit.gateway.config.GatewayConfigReader;
import dev.readmit.gateway.proxy.UpstreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;

/** Starts a gateway on 127.0.0.1, an ephemeral port, with one worker thread unless the YAML says more. */
public final class GatewayHarness {

    private GatewayHarness() {}

    /**
     * @param upstreamUrl where the gateway sends requests
     * @param extraYaml more configuration, appended to the document (top-level sections)
     */
    public static Gateway start(String upstreamUrl, String extraYaml) throws IOException, ConfigException {
        return start(upstreamUrl, extraYaml, AdmissionStages.NONE);
    }

    public static Gateway start(String upstreamUrl, String extraYaml, AdmissionStages admission)
            throws IOException, ConfigException {
        return start(upstreamUrl, extraYaml, admission, UpstreamObserver.NONE);
    }

    public static Gateway start(
            String upstreamUrl, String extraYaml, AdmissionStages admission, UpstreamObserver observer)
            throws IOException, ConfigException {
        String yaml = "listen: 127.0.0.1:0\n"
                + (extraYaml.contains("workerThreads") ? "" : "workerThreads: 1\n")
                + (extraYaml.contains("upstream:") ? "" : "upstream:\n  url: " + upstreamUrl + "\n")
                + extraYaml;
        GatewayConfig config = GatewayConfigReader.read(yaml, "test");
        return Gateway.start(config, admission, observer, NanoClock.system(), Transport.best());
    }

    public static URI uri(Gateway gateway, String path) {
        InetSocketAddress a = gateway.localAddress();
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }
}
