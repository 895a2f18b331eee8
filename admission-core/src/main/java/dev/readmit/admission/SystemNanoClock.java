package dev.readmit.admission;

/** {@link NanoClock} backed by {@link System#nanoTime()}. */
enum SystemNanoClock implements NanoClock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
