package dev.readmit.gateway.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's validated configuration: one immutable value read by {@link GatewayConfigReader}.
 *
 * @param listen where clients connect
 * @param mode HTTP reverse proxy or TCP byte relay
 * @param upstream the service behind the gateway
 * @param limits request size and slow-client limits (HTTP mode)
 * @param workerThreads event-loop threads, at least 1; each owns its connections and upstream pool
 * @param drainTimeout on shutdown, how long in-flight requests may take to finish before connections are
 *     closed
 * @param adminListen where the admin API listens, or empty when it is off
 * @param admission the {@code admission} section exactly as written (a deep copy), handed on untouched to
 *     the admission stages, which validate it themselves; empty when the section is absent, which means
 *     admission is off and every request is proxied
 * @param adminTokenFile the file holding the admin API's bearer token ({@code admin.tokenFile}), or empty;
 *     the environment variable {@code READMIT_ADMIN_TOKEN} wins over it
 */
public record GatewayConfig(
        HostPort listen,
        ProxyMode mode,
        UpstreamSettings upstream,
        LimitSettings limits,
        int workerThreads,
        Duration drainTimeout,
        Optional<HostPort> adminListen,
        Optional<ObjectNode> admission,
        Optional<Path> adminTokenFile) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** The section is copied again on the way out: a reader cannot change this config. */
    @Override
    public Optional<ObjectNode> admission() {
        return admission.map(ObjectNode::deepCopy);
    }
}
