package dev.readmit.gateway.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An admin request refused: its HTTP status and a message for the operator. Thrown by {@link
 * OperatorControls} and {@link ConfigReload}, answered as {@code {"error": message, ...}} by {@link
 * AdminApi}; nothing has changed when it is thrown.
 */
public final class AdminException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient ObjectNode details;

    /**
     * @param status 400 for a bad request, 409 for a request that conflicts with the gateway's state
     * @param message what is wrong and what would be accepted
     * @param details more fields for the JSON answer, or null
     */
    public AdminException(int status, String message, ObjectNode details) {
        super(message);
        this.status = status;
        this.details = details;
    }

    public AdminException(int status, String message) {
        this(status, message, null);
    }

    public int status() {
        return status;
    }

    /** More fields for the JSON answer (e.g. the problems of a refused config), or null. */
    public ObjectNode details() {
        return details;
    }
}
