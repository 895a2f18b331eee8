package dev.readmit.profiles.sim;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * The simulated service's capacity: a pool of virtual workers, a FIFO queue in front, a deadline per
 * request and the optional collapse stretch. See {@link SimConfig} for the model in words.
 *
 * <p>Thread confinement: every method except {@link #stats()} runs on the {@link SimTimer}'s single
 * thread ({@link #arrive} is handed there by the caller), so the queue and worker count need no lock.
 * The fields {@link #stats()} reads are {@code volatile} and have that single writer, so they are read
 * without tearing and without a lock from any thread.
 *
 * <p>Implementation notes: no thread sleeps and no timer per queued request. A worker is a count; a
 * request in service is one scheduled completion task. Every request gets the same timeout, and the
 * queue is FIFO, so deadlines in the queue are in order: one pending expiry task, for the head's
 * deadline, is enough. A request whose service would end after its deadline is answered 504 by a task at
 * the deadline and its worker is released by a second task when the service ends.
 */
final class CapacityModel {

    /** Receives the answer to one request; called on the timer's thread, must not block. */
    interface Responder {
        /**
         * @param outcome how the request ends
         * @param queueNanos time it waited for a worker
         * @param serviceNanos service time it was given (0 if never served)
         */
        void answer(SimOutcome outcome, long queueNanos, long serviceNanos);
    }

    private static final class Job {
        final long arrivalNanos;
        final long deadlineNanos;
        final Responder responder;

        Job(long arrivalNanos, long deadlineNanos, Responder responder) {
            this.arrivalNanos = arrivalNanos;
            this.deadlineNanos = deadlineNanos;
            this.responder = responder;
        }
    }

    private final SimConfig config;
    private final SimTimer timer;
    private final SplittableRandom random;
    private final long timeoutNanos;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private boolean expiryPending;

    // Written only on the timer's thread; volatile so that stats() reads them from any thread.
    private volatile long received;
    private volatile long served;
    private volatile long rejected;
    private volatile long queueTimeouts;
    private volatile long serviceTimeouts;
    private volatile int inFlight;
    private volatile int maxInFlight;
    private volatile int queueLength;
    private volatile int maxQueueLength;
    private volatile int open;
    private volatile int maxOpen;

    CapacityModel(SimConfig config, SimTimer timer) {
        this.config = config;
        this.timer = timer;
        this.random = new SplittableRandom(config.seed());
        this.timeoutNanos = config.timeout().toNanos();
    }

    /** A request has been fully received. Timer thread only. */
    void arrive(Responder responder) {
        long now = timer.nanoTime();
        received++;
        Job job = new Job(now, now + timeoutNanos, responder);
        if (inFlight < config.workers()) {
            opened();
            start(job, now);
        } else if (queue.size() >= config.queueLimit()) {
            rejected++;
            responder.answer(SimOutcome.QUEUE_FULL, 0, 0);
        } else {
            opened();
            queue.addLast(job);
            queueChanged();
            if (!expiryPending) {
                scheduleExpiry(now);
            }
        }
    }

    /** Sets every peak to its current value. Timer thread only. */
    void resetPeaks() {
        maxInFlight = inFlight;
        maxQueueLength = queueLength;
        maxOpen = open;
    }

    /** The counters now; any thread. */
    SimStats stats(long bodyBytes) {
        return new SimStats(
                config.workers(),
                config.capacityPerSecond(),
                received,
                served,
                rejected,
                queueTimeouts,
                serviceTimeouts,
                inFlight,
                maxInFlight,
                queueLength,
                maxQueueLength,
                open,
                maxOpen,
                bodyBytes);
    }

    private void opened() {
        open++;
        if (open > maxOpen) {
            maxOpen = open;
        }
    }

    private void queueChanged() {
        queueLength = queue.size();
        if (queueLength > maxQueueLength) {
            maxQueueLength = queueLength;
        }
    }

    private void start(Job job, long now) {
        inFlight++;
        if (inFlight > maxInFlight) {
            maxInFlight = inFlight;
        }
        long serviceNanos = config.serviceTime().sampleNanos(random);
        if (config.collapseFactor() > 0) {
            // Queue length stands in for contention: the more work waits, the slower each piece gets.
            double stretch = 1 + config.collapseFactor() * queue.size() / config.workers();
            serviceNanos = Math.round(serviceNanos * stretch);
        }
        long queueNanos = now - job.arrivalNanos;
        long service = serviceNanos;
        if (now + serviceNanos <= job.deadlineNanos) {
            timer.schedule(
                    () -> {
                        served++;
                        answer(job, SimOutcome.SERVED, queueNanos, service);
                        release();
                    },
                    serviceNanos);
        } else {
            timer.schedule(
                    () -> {
                        serviceTimeouts++;
                        answer(job, SimOutcome.SERVICE_TIMEOUT, queueNanos, service);
                    },
                    job.deadlineNanos - now);
            timer.schedule(this::release, serviceNanos);
        }
    }

    private void answer(Job job, SimOutcome outcome, long queueNanos, long serviceNanos) {
        open--;
        job.responder.answer(outcome, queueNanos, serviceNanos);
    }

    private void release() {
        inFlight--;
        long now = timer.nanoTime();
        expireQueued(now);
        Job next = queue.pollFirst();
        if (next != null) {
            queueChanged();
            start(next, now);
        }
    }

    private void scheduleExpiry(long now) {
        Job head = queue.peekFirst();
        if (head != null) {
            expiryPending = true;
            timer.schedule(this::onExpiry, Math.max(0, head.deadlineNanos - now));
        }
    }

    private void onExpiry() {
        expiryPending = false;
        long now = timer.nanoTime();
        expireQueued(now);
        scheduleExpiry(now);
    }

    private void expireQueued(long now) {
        boolean changed = false;
        Job head;
        while ((head = queue.peekFirst()) != null && head.deadlineNanos <= now) {
            queue.pollFirst();
            changed = true;
            queueTimeouts++;
            answer(head, SimOutcome.QUEUE_TIMEOUT, now - head.arrivalNanos, 0);
        }
        if (changed) {
            queueChanged();
        }
    }
}
