package dev.readmit.cli;

import dev.readmit.profiles.format.Arrival;
import dev.readmit.profiles.format.Distribution;
import dev.readmit.profiles.format.Population;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileKind;
import dev.readmit.profiles.format.RequestTemplate;
import dev.readmit.profiles.format.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The storm benchmark's workload, derived from a bundled modelled profile (normally {@code
 * backup-agents-return}): the population that arrives at once becomes {@code clients} clients arriving
 * uniformly within {@code window}; every other population (the restores) keeps its size and arrives
 * within the same window, so the run measures the storm, not a tail of stragglers; request bodies are
 * multiplied by {@code bodyScale}, because on a small machine the generator, the gateway and the
 * simulated upstream cannot all copy gigabytes per second of chunk uploads (the simulated upstream's
 * service time does not depend on the body size). Sessions, think times, mix and retry behaviour stay
 * as the profile says. Stateless; thread safe.
 */
final class StormWorkload {

    private StormWorkload() {}

    /**
     * Derives the storm profile.
     *
     * @param base a modelled profile with at least one {@code at_once} population
     * @param clients clients of the {@code at_once} populations together, &ge; 1
     * @param window the arrival window, &gt; 0
     * @param bodyScale multiplier of every request body size, in (0, 1]
     * @throws IllegalArgumentException naming what is wrong with the profile or a parameter
     */
    static Profile derive(Profile base, int clients, Duration window, double bodyScale) {
        if (base.kind() != ProfileKind.MODELLED) {
            throw new IllegalArgumentException("the storm needs a modelled profile; '" + base.name() + "' is recorded");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, got " + clients);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (!(bodyScale > 0 && bodyScale <= 1)) {
            throw new IllegalArgumentException("bodyScale must be in (0, 1], got " + bodyScale);
        }
        long atOnceClients = base.populations().stream()
                .filter(p -> p.arrival() instanceof Arrival.AtOnce)
                .mapToLong(Population::clients)
                .sum();
        if (atOnceClients == 0) {
            throw new IllegalArgumentException(
                    "profile '" + base.name() + "' has no at_once population to turn into the storm");
        }
        double windowMillis = window.toNanos() / 1e6;
        List<Population> populations = new ArrayList<>();
        int given = 0;
        for (Population p : base.populations()) {
            Arrival arrival;
            int count;
            if (p.arrival() instanceof Arrival.AtOnce a) {
                count = (int) Math.max(1, Math.round((double) clients * p.clients() / atOnceClients));
                count = Math.min(count, clients - given);
                given += count;
                arrival = new Arrival.AtOnce(a.atMillis(), windowMillis, a.even());
            } else {
                count = p.clients();
                arrival = new Arrival.AtOnce(0, windowMillis, false);
            }
            if (count > 0) {
                populations.add(new Population(
                        p.name(), p.className(), count, p.keyPattern(), arrival, scaleBodies(p.session(), bodyScale)));
            }
        }
        return base.withPopulations(populations);
    }

    /**
     * The same profile with every request body multiplied by {@code bodyScale}; for profiles used as they
     * are (the steady-state baseline).
     */
    static Profile scaleBodies(Profile base, double bodyScale) {
        List<Population> populations = new ArrayList<>();
        for (Population p : base.populations()) {
            populations.add(new Population(
                    p.name(),
                    p.className(),
                    p.clients(),
                    p.keyPattern(),
                    p.arrival(),
                    scaleBodies(p.session(), bodyScale)));
        }
        return base.withPopulations(populations);
    }

    private static Session scaleBodies(Session s, double f) {
        return new Session(
                s.first().stream().map(r -> scale(r, f)).toList(),
                s.requests(),
                s.thinkMillis(),
                s.holdMillis(),
                s.messagesPerMinute(),
                s.mix().stream().map(r -> scale(r, f)).toList(),
                s.connection(),
                s.transport());
    }

    private static RequestTemplate scale(RequestTemplate r, double f) {
        return new RequestTemplate(r.weight(), r.method(), r.path(), scale(r.requestBytes(), f));
    }

    static Distribution scale(Distribution d, double f) {
        if (f == 1.0) {
            return d;
        }
        if (d instanceof Distribution.Const c) {
            return new Distribution.Const(Math.round(c.value() * f));
        }
        if (d instanceof Distribution.Uniform u) {
            return new Distribution.Uniform(u.min() * f, u.max() * f);
        }
        if (d instanceof Distribution.Exponential e) {
            return new Distribution.Exponential(e.mean() * f, e.max() * f);
        }
        if (d instanceof Distribution.Normal n) {
            return new Distribution.Normal(n.mean() * f, n.sd() * f, n.min() * f);
        }
        Distribution.LogNormal l = (Distribution.LogNormal) d;
        return new Distribution.LogNormal(l.median() * f, l.p99() * f);
    }
}
