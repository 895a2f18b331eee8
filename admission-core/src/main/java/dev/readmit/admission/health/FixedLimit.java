package dev.readmit.admission.health;

/** A {@link Limit} that ignores samples. Immutable, so thread safe. */
final class FixedLimit implements Limit {

    private final int limit;

    FixedLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    @Override
    public int currentLimit() {
        return limit;
    }

    @Override
    public void onSample(long rttNanos, int inFlight, boolean dropped) {
        // A fixed limit learns nothing from samples by definition.
    }

    @Override
    public String toString() {
        return "FixedLimit[" + limit + "]";
    }
}
