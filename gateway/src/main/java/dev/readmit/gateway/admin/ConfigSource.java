package dev.readmit.gateway.admin;

import dev.readmit.gateway.config.ConfigException;
import dev.readmit.gateway.config.GatewayConfig;

/**
 * Where {@code POST /config/reload} reads the configuration again: for {@code readmit gateway --config
 * FILE} the file, with the command line's flags applied as at start.
 */
@FunctionalInterface
public interface ConfigSource {

    /**
     * Reads and validates the configuration now. Called on the admin thread; may do file I/O.
     *
     * @throws ConfigException listing every problem, when the configuration is refused
     */
    GatewayConfig read() throws ConfigException;
}
