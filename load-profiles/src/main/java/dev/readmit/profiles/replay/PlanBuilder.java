package dev.readmit.profiles.replay;

import dev.readmit.profiles.format.Arrival;
import dev.readmit.profiles.format.Population;
import dev.readmit.profiles.format.Profile;
import dev.readmit.profiles.format.ProfileKind;
import dev.readmit.profiles.format.RecordedEvent;
import dev.readmit.profiles.format.RequestTemplate;
import dev.readmit.profiles.format.Session;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a profile into a {@link ReplayPlan} at a speed and a scale. Stateless and thread safe.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>Speed divides every profile time (arrivals, think times, holds): GoReplay's {@code |200%}
 *       semantics. {@code Retry-After} values from the server are never scaled.
 *   <li>Scale of a modelled profile multiplies each population's size (at least one client stays), so
 *       arrival processes keep their shape. Scale of a recorded profile clones whole clients: each
 *       client becomes {@code floor(Y)} clients plus one more with probability {@code frac(Y)}; clone
 *       {@code k} gets key {@code key~k} and all its events shifted by a uniform offset in {@code [0,
 *       cloneSpread)}, so clones do not fire in synchronised microbursts. Below 1, whole clients are
 *       kept by a stable hash of their key, never single requests.
 *   <li>Inside a session the intended time of the next request is the intended time of the previous
 *       one plus the think time, never its actual completion, so a slow answer cannot move the plan
 *       (Gil Tene, HdrHistogram#148). The replayer still shifts a client's later requests when the
 *       server tells it to wait ({@code Retry-After}): that is the client's behaviour, not omission.
 *   <li>A modelled profile's {@code model.duration_ms} bounds the plan: clients arriving after it and
 *       requests planned after it are left out, and long-lived connections close at it.
 *   <li>Every random choice comes from a generator seeded by (profile seed, population, client index),
 *       so plans are reproducible and independent of iteration order.
 * </ul>
 */
public final class PlanBuilder {
    private static final Pattern INDEX = Pattern.compile("\\{i(?::0(\\d+))?}");

    private PlanBuilder() {}

    /**
     * Builds the plan.
     *
     * @param speed time compression factor, &gt; 0 (2 = twice as fast)
     * @param scale client multiplier, &gt; 0
     * @param cloneSpreadMillis spread of clone offsets for recorded profiles, milliseconds, &ge; 0
     */
    public static ReplayPlan build(Profile profile, double speed, double scale, double cloneSpreadMillis) {
        if (!(speed > 0) || !(scale > 0) || !(cloneSpreadMillis >= 0)) {
            throw new IllegalArgumentException("speed and scale must be > 0, clone spread >= 0 (got " + speed + ", "
                    + scale + ", " + cloneSpreadMillis + ")");
        }
        List<PlannedClient> clients = profile.kind() == ProfileKind.MODELLED
                ? modelled(profile, speed, scale)
                : recorded(profile, speed, scale, cloneSpreadMillis);
        clients.sort(Comparator.comparingLong(PlannedClient::startNanos));
        return new ReplayPlan(clients, profile.clientKey(), profile.onReject());
    }

    private static List<PlannedClient> modelled(Profile profile, double speed, double scale) {
        List<PlannedClient> out = new ArrayList<>();
        List<Population> populations = profile.populations();
        for (int p = 0; p < populations.size(); p++) {
            Population pop = populations.get(p);
            int n = (int) Math.max(1, Math.round(pop.clients() * scale));
            double[] arrivals = arrivals(pop.arrival(), n, new SplittableRandom(mix(profile.seed(), p, -1)));
            for (int i = 0; i < n; i++) {
                long clientSeed = mix(profile.seed(), p, i);
                String key = key(pop.keyPattern(), i);
                if (arrivals[i] <= profile.durationMillis()) {
                    out.add(session(profile, pop, key, arrivals[i], speed, clientSeed));
                }
            }
        }
        return out;
    }

    private static double[] arrivals(Arrival arrival, int n, SplittableRandom random) {
        double[] t = new double[n];
        if (arrival instanceof Arrival.AtOnce a) {
            for (int i = 0; i < n; i++) {
                t[i] = a.atMillis()
                        + (a.even()
                                ? (n == 1 ? 0 : a.windowMillis() * i / (n - 1))
                                : random.nextDouble() * a.windowMillis());
            }
        } else if (arrival instanceof Arrival.Ramp r) {
            // Rate growing linearly from zero: cumulative arrivals grow as t^2, so client i is at sqrt(u).
            for (int i = 0; i < n; i++) {
                t[i] = r.atMillis() + r.forMillis() * Math.sqrt((i + random.nextDouble()) / n);
            }
        } else if (arrival instanceof Arrival.Poisson p) {
            double now = p.atMillis();
            for (int i = 0; i < n; i++) {
                now += -Math.log(1 - random.nextDouble()) * 1000 / p.ratePerSecond();
                t[i] = now;
            }
        } else if (arrival instanceof Arrival.ReconnectStorm s) {
            for (int i = 0; i < n; i++) {
                t[i] = s.atMillis() + s.detectMillis().sample(random);
            }
        }
        return t;
    }

    private static PlannedClient session(
            Profile profile, Population pop, String key, double arrivalMillis, double speed, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Session s = pop.session();
        List<PlannedRequest> requests = new ArrayList<>();
        double t = arrivalMillis;
        int seq = 0;
        double end;
        double last = arrivalMillis;
        if (s.longLived()) {
            double hold = s.holdMillis().sample(random);
            double meanGap = 60_000 / Math.max(1e-9, s.messagesPerMinute().sample(random));
            end = arrivalMillis + hold;
            for (RequestTemplate f : s.first()) {
                requests.add(request(f, key, seq++, t, speed, random));
                t += 1;
            }
            while (true) {
                t += -Math.log(1 - random.nextDouble()) * meanGap;
                if (t > end || s.mix().isEmpty()) {
                    break;
                }
                requests.add(request(pick(s.mix(), random), key, seq++, t, speed, random));
            }
        } else {
            for (RequestTemplate f : s.first()) {
                requests.add(request(f, key, seq++, t, speed, random));
                last = t;
                t += s.thinkMillis().sample(random);
            }
            long count = Math.round(s.requests().sample(random));
            for (long k = 0; k < count && !s.mix().isEmpty(); k++) {
                requests.add(request(pick(s.mix(), random), key, seq++, t, speed, random));
                last = t;
                t += s.thinkMillis().sample(random);
            }
            end = last;
        }
        // The model's duration bounds the run: nothing is planned after it.
        long limit = nanos(profile.durationMillis(), speed);
        requests.removeIf(r -> r.atNanos() > limit);
        return new PlannedClient(
                key,
                pop.className(),
                s.connection(),
                honours(profile, key),
                requests,
                Math.min(limit, nanos(end, speed)),
                seed,
                s.transport());
    }

    private static RequestTemplate pick(List<RequestTemplate> mix, SplittableRandom random) {
        double total = 0;
        for (RequestTemplate t : mix) {
            total += t.weight();
        }
        double u = random.nextDouble() * total;
        for (RequestTemplate t : mix) {
            u -= t.weight();
            if (u < 0) {
                return t;
            }
        }
        return mix.get(mix.size() - 1);
    }

    private static PlannedRequest request(
            RequestTemplate t, String key, int seq, double atMillis, double speed, SplittableRandom random) {
        String path = t.path().replace("{client}", key).replace("{seq}", Integer.toString(seq));
        long bytes = Math.round(t.requestBytes().sample(random));
        return new PlannedRequest(nanos(atMillis, speed), t.method(), path, bytes);
    }

    private static List<PlannedClient> recorded(Profile profile, double speed, double scale, double spreadMillis) {
        Map<String, List<RecordedEvent>> byClient = new LinkedHashMap<>();
        for (RecordedEvent e : profile.events()) {
            byClient.computeIfAbsent(e.client(), k -> new ArrayList<>()).add(e);
        }
        List<PlannedClient> out = new ArrayList<>();
        for (Map.Entry<String, List<RecordedEvent>> entry : byClient.entrySet()) {
            String key = entry.getKey();
            long seed = mix(profile.seed(), stableHash(key), 0);
            SplittableRandom random = new SplittableRandom(seed);
            int copies;
            if (scale < 1) {
                copies = unit(stableHash("keep:" + key) ^ profile.seed()) < scale ? 1 : 0;
            } else {
                copies = (int) Math.floor(scale) + (random.nextDouble() < scale - Math.floor(scale) ? 1 : 0);
            }
            for (int k = 0; k < copies; k++) {
                String cloneKey = k == 0 ? key : key + "~" + k;
                double shift = k == 0 ? 0 : random.nextDouble() * spreadMillis;
                List<PlannedRequest> requests = new ArrayList<>();
                String cls = profile.defaultClass();
                for (RecordedEvent e : entry.getValue()) {
                    requests.add(new PlannedRequest(
                            nanos(e.timeMillis() + shift, speed), e.method(), e.path(), e.requestBytes()));
                    if (e.className() != null) {
                        cls = e.className();
                    }
                }
                long end = requests.get(requests.size() - 1).atNanos();
                out.add(new PlannedClient(
                        cloneKey,
                        cls,
                        profile.connection(),
                        honours(profile, cloneKey),
                        requests,
                        end,
                        mix(seed, k, 1)));
            }
        }
        return out;
    }

    private static boolean honours(Profile profile, String key) {
        return unit(stableHash("honour:" + key) ^ profile.seed())
                < profile.onReject().honourRetryAfter();
    }

    static String key(String pattern, int index) {
        Matcher m = INDEX.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String digits = Integer.toString(index);
            if (m.group(1) != null) {
                int width = Integer.parseInt(m.group(1));
                digits = "0".repeat(Math.max(0, width - digits.length())) + digits;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(digits));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static long nanos(double millis, double speed) {
        return Math.round(millis / speed * 1e6);
    }

    /** FNV-1a over UTF-8, then a final mix: stable across JVMs and runs. */
    static long stableHash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h, 0, 0);
    }

    /** Maps a hash to [0, 1). */
    static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    private static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xBF58476D1CE4E5B9L + c * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
