package dev.readmit.profiles.sim;

/**
 * The one thread the capacity model runs on, and its notion of time.
 *
 * <p>Every task given to {@link #execute} or {@link #schedule} runs on that single thread, in order, so the
 * model needs no lock. Tests substitute a timer whose time moves only when told to, which makes queueing,
 * timeouts and collapse deterministic.
 */
interface SimTimer extends AutoCloseable {

    /** Current time, nanoseconds; only differences are meaningful. Called on the timer's thread. */
    long nanoTime();

    /**
     * Runs {@code task} on the timer's thread as soon as possible. Callable from any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close()}
     */
    void execute(Runnable task);

    /** Runs {@code task} on the timer's thread {@code delayNanos} from now. Called on the timer's thread. */
    void schedule(Runnable task, long delayNanos);

    /** Stops the thread; pending tasks are dropped. */
    @Override
    void close();
}
