package dev.readmit.profiles.sim;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link SimTimer} whose time moves only in {@link #advance(Duration)}: scheduled tasks run in time
 * order, on one thread, when the test moves time past them. Tasks handed to {@link #execute} run on that
 * thread at once, at the current virtual time.
 */
final class ManualSimTimer implements SimTimer {

    private record Scheduled(long atNanos, long sequence, Runnable task) {}

    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "manual-sim-timer");
        t.setDaemon(true);
        return t;
    });
    private final PriorityQueue<Scheduled> scheduled = new PriorityQueue<>((a, b) -> a.atNanos() != b.atNanos()
            ? Long.compare(a.atNanos(), b.atNanos())
            : Long.compare(a.sequence(), b.sequence()));
    // Read by tests on their own thread, written only on the timer's thread.
    private volatile long now;
    private long sequence;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        thread.execute(task);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        scheduled.add(new Scheduled(now + delayNanos, sequence++, task));
    }

    /** Moves time forward by {@code step}, running every task due on the way; returns when they have run. */
    void advance(Duration step) {
        await(() -> {
            long target = now + step.toNanos();
            Scheduled next;
            while ((next = scheduled.peek()) != null && next.atNanos() <= target) {
                scheduled.poll();
                now = next.atNanos();
                next.task().run();
            }
            now = target;
        });
    }

    /** Runs {@code task} on the timer's thread and waits for it. */
    void await(Runnable task) {
        try {
            thread.submit(task).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
