package dev.readmit.profiles.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed, validated {@code readmit-profile/1} profile: a recorded one (events, no populations) or a
 * modelled one (populations, no events). Immutable and thread safe. Read with {@link ProfileReader},
 * written with {@link ProfileWriter}.
 *
 * @param name profile name
 * @param description free text, may be empty
 * @param kind recorded or modelled
 * @param source where the numbers come from, as written in the header
 * @param seed seed of every random choice made from this profile
 * @param clientKey where the replayer puts each client's key
 * @param connection how recorded clients hold connections (modelled sessions say it per population)
 * @param defaultClass class of events and populations that name none
 * @param onReject client behaviour on waiting answers
 * @param durationMillis intended length of the profile, milliseconds
 * @param populations modelled populations, empty for a recorded profile
 * @param events recorded events sorted by time, empty for a modelled profile
 * @param extra extension and provenance fields of a recorded header ({@code start}, {@code
 *     time_resolution_ms}, {@code x_*}), written back as they were
 */
public record Profile(
        String name,
        String description,
        ProfileKind kind,
        String source,
        long seed,
        ClientKeyPlacement clientKey,
        ConnectionMode connection,
        String defaultClass,
        OnReject onReject,
        double durationMillis,
        List<Population> populations,
        List<RecordedEvent> events,
        Map<String, Object> extra) {

    /** The format identifier this version reads and writes. */
    public static final String FORMAT = "readmit-profile/1";

    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(onReject, "onReject");
        populations = List.copyOf(populations);
        events = List.copyOf(events);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** This profile with {@code replaced} as its populations, everything else as it is. */
    public Profile withPopulations(List<Population> replaced) {
        return new Profile(
                name,
                description,
                kind,
                source,
                seed,
                clientKey,
                connection,
                defaultClass,
                onReject,
                durationMillis,
                replaced,
                events,
                extra);
    }

    /** Distinct clients of a recorded profile, or the sum of the populations of a modelled one. */
    public long clientCount() {
        if (kind == ProfileKind.MODELLED) {
            return populations.stream().mapToLong(Population::clients).sum();
        }
        return events.stream().map(RecordedEvent::client).distinct().count();
    }
}
