package dev.readmit.gateway.admit;

import dev.readmit.admission.Decision;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decider scripted per client key; a key without a script gets {@link #fallback}. With {@link
 * #tokens} at zero or more, every unscripted key instead takes a token if one is left (newly
 * admitted) or waits, eligible. Records every call in order.
 */
final class ScriptedDecider implements AdmissionDecider {

    static final Decision.Wait WAIT = new Decision.Wait(3, 20_000_000_000L, 5, true);

    final Map<String, Decision> byKey = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> ticketHolderCalls = new CopyOnWriteArrayList<>();
    final AtomicInteger tokens = new AtomicInteger(-1);
    volatile Decision fallback = Decision.Admit.NEWLY_ADMITTED;

    @Override
    public Decision decide(CharSequence clientKey, int classIndex, long nowNanos) {
        String key = clientKey.toString();
        calls.add(key);
        Decision scripted = byKey.get(key);
        if (scripted != null) {
            return scripted;
        }
        if (tokens.get() >= 0) {
            return tokens.getAndUpdate(t -> t > 0 ? t - 1 : t) > 0 ? Decision.Admit.NEWLY_ADMITTED : WAIT;
        }
        return fallback;
    }

    @Override
    public Decision decideTicketHolder(CharSequence clientKey, long ticketClientHash, int classIndex, long nowNanos) {
        ticketHolderCalls.add(clientKey.toString());
        return Decision.Admit.ALREADY_ADMITTED;
    }
}
