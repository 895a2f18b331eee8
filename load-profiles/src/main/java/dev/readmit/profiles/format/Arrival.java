package dev.readmit.profiles.format;

/**
 * When the clients of a population arrive (send their first request). Each process places the
 * population's {@code N} clients in time; arrivals are open: they do not depend on any response.
 * Immutable.
 */
public sealed interface Arrival permits Arrival.AtOnce, Arrival.Ramp, Arrival.Poisson, Arrival.ReconnectStorm {

    /**
     * All clients within {@code [atMillis, atMillis + windowMillis]}: uniformly at random, or evenly
     * spaced. A window of 0 is the same instant (cron-started agents).
     */
    record AtOnce(double atMillis, double windowMillis, boolean even) implements Arrival {}

    /** Over {@code [atMillis, atMillis + forMillis]} at a rate growing linearly from zero. */
    record Ramp(double atMillis, double forMillis) implements Arrival {}

    /** A Poisson process of {@code ratePerSecond} from {@code atMillis} until all clients arrived. */
    record Poisson(double atMillis, double ratePerSecond) implements Arrival {}

    /**
     * Every client had a live connection that dropped at {@code atMillis} (a netsplit); each notices
     * after its own detection delay and reconnects.
     */
    record ReconnectStorm(double atMillis, Distribution detectMillis) implements Arrival {}
}
