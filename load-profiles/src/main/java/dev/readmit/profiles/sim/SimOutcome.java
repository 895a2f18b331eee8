package dev.readmit.profiles.sim;

/** How the simulated service answered one request. */
enum SimOutcome {
    /** Served by a worker within the deadline. */
    SERVED(200, "served\n"),
    /** Every worker busy and the queue full: answered at once. */
    QUEUE_FULL(503, "overloaded: queue full\n"),
    /** Still waiting for a worker at its deadline. */
    QUEUE_TIMEOUT(503, "overloaded: waited too long for a worker\n"),
    /** Its service would have ended after its deadline: answered at the deadline. */
    SERVICE_TIMEOUT(504, "timeout: service took too long\n");

    final int status;
    final String body;

    SimOutcome(int status, String body) {
        this.status = status;
        this.body = body;
    }
}
