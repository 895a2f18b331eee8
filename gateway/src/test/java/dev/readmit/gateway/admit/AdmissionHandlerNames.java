package dev.readmit.gateway.admit;

/** What tests of other packages may see of this package's internals. */
public final class AdmissionHandlerNames {

    /** The class name of the per-connection HTTP admission handler. */
    public static final String HTTP_HANDLER = AdmissionHandler.class.getName();

    private AdmissionHandlerNames() {}

    /** The gate's ticket codec. */
    public static TicketCodec tickets(AdmissionGate gate) {
        return gate.tickets();
    }
}
