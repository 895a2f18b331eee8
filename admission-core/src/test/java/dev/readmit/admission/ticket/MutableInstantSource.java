package dev.readmit.admission.ticket;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** Wall time that moves only when a test says so. */
final class MutableInstantSource implements InstantSource {

    private volatile Instant now;

    MutableInstantSource(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration delta) {
        now = now.plus(delta);
    }
}
