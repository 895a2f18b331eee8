package dev.readmit.gateway.admit;

import dev.readmit.admission.NanoClock;
import io.netty.channel.ChannelHandler;
import java.util.Objects;

/**
 * The admission stage of one gateway: the parts shared by every connection (settings, key and class
 * rules, decider, ticket codec, waiting room, responder) and the factory of the per-connection
 * {@link AdmissionHandler}.
 *
 * <pre>{@code
 * AdmissionGate gate = AdmissionGate.create(settings, decider, tickets, NanoClock.system());
 * gate.waitingRoom().start(scheduler, Duration.ofMillis(100), NanoClock.system()); // hold mode
 * pipeline.addLast("admission", gate.newHandler());   // after the HTTP codec, before the proxy
 * gate.responder().setMessage("Back at 14:00 UTC");   // from the admin API, at any time
 * }</pre>
 *
 * <p>Thread safe. When {@link AdmissionSettings#enabled()} is false, the decider is replaced by
 * {@link AdmissionDecider#admitAll()} and no ticket is issued.
 */
public final class AdmissionGate {

    private final AdmissionSettings settings;
    private final ClientKeyResolver keys;
    private final ClassRules classes;
    private final AdmissionDecider decider;
    private final TicketCodec tickets;
    private final WaitingRoom waitingRoom;
    private final WaitingRoomResponder responder;
    private final NanoClock clock;
    private final AdmissionListener listener;

    private AdmissionGate(
            AdmissionSettings settings,
            AdmissionDecider decider,
            TicketCodec tickets,
            WaitingRoomResponder responder,
            NanoClock clock,
            AdmissionListener listener) {
        this.settings = settings;
        this.decider = settings.enabled() ? decider : AdmissionDecider.admitAll();
        this.tickets = settings.enabled() ? tickets : TicketCodec.none();
        this.keys = new ClientKeyResolver(settings, this.tickets);
        this.classes = ClassRules.of(settings);
        this.waitingRoom = new WaitingRoom(
                settings.waiting().maxQueue(), settings.waiting().maxWait(), this.decider);
        this.responder = responder;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Assembles the gate.
     *
     * @param settings the validated {@code admission} section
     * @param decider admission-core's decision, thread safe
     * @param tickets the ticket codec, thread safe
     * @param clock the time source for decisions and for how long requests are held
     */
    public static AdmissionGate create(
            AdmissionSettings settings, AdmissionDecider decider, TicketCodec tickets, NanoClock clock) {
        return create(settings, decider, tickets, clock, AdmissionListener.NONE);
    }

    /**
     * Assembles the gate with a listener for metrics and logs.
     *
     * @param listener told of every decision and every held request; see {@link AdmissionListener}
     */
    public static AdmissionGate create(
            AdmissionSettings settings,
            AdmissionDecider decider,
            TicketCodec tickets,
            NanoClock clock,
            AdmissionListener listener) {
        return new AdmissionGate(
                Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(decider, "decider"),
                Objects.requireNonNull(tickets, "tickets"),
                new WaitingRoomResponder(settings.waiting()),
                Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(listener, "listener"));
    }

    /** A new handler for one connection; handlers are stateful and never shared. */
    public ChannelHandler newHandler() {
        return new AdmissionHandler(this);
    }

    /** The settings the gate was built from. */
    public AdmissionSettings settings() {
        return settings;
    }

    /** The line of held requests (hold mode); {@link WaitingRoom#start} it at startup. */
    public WaitingRoom waitingRoom() {
        return waitingRoom;
    }

    /** The responder, whose operator message the admin API changes. */
    public WaitingRoomResponder responder() {
        return responder;
    }

    /** The compiled class rules, e.g. for class names in metrics. */
    public ClassRules classRules() {
        return classes;
    }

    ClientKeyResolver keys() {
        return keys;
    }

    AdmissionDecider decider() {
        return decider;
    }

    TicketCodec tickets() {
        return tickets;
    }

    NanoClock clock() {
        return clock;
    }

    AdmissionListener listener() {
        return listener;
    }
}
