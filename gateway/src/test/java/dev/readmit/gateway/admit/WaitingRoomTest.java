package dev.readmit.gateway.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.readmit.admission.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class WaitingRoomTest {

    private static final long SECOND = 1_000_000_000L;

    /** Records its outcomes; counts how often it was decided, which must never exceed one. */
    private static final class Recorded extends WaitingRoom.Entry {
        final List<Decision> outcomes = new CopyOnWriteArrayList<>();

        Recorded(String key, int classIndex, long now) {
            super(key, classIndex, now);
        }

        @Override
        protected void onDecided(Decision decision) {
            outcomes.add(decision);
        }
    }

    @Test
    void refusesOfferBeyondCapacityAndFreesThePlaceOnCancel() {
        WaitingRoom room = new WaitingRoom(2, Duration.ofSeconds(10), (k, c, n) -> ScriptedDecider.WAIT);
        Recorded first = new Recorded("a", 0, 0);

        assertThat(room.offer(first)).isTrue();
        assertThat(room.offer(new Recorded("b", 0, 0))).isTrue();
        assertThat(room.offer(new Recorded("c", 0, 0))).isFalse();
        assertThat(first.cancel()).isTrue();
        assertThat(first.cancel()).as("only once").isFalse();
        assertThat(room.size()).isOne();
        assertThat(room.offer(new Recorded("d", 0, 0))).isTrue();
    }

    @Test
    void anExpiredEntryGetsTheWaitOfThatMomentOnce() {
        Decision.Wait wait = new Decision.Wait(4, 9 * SECOND, 2, true);
        WaitingRoom room = new WaitingRoom(5, Duration.ofSeconds(10), (k, c, n) -> wait);
        Recorded entry = new Recorded("a", 0, 0);
        room.offer(entry);

        room.drain(10 * SECOND - 1);
        assertThat(entry.outcomes).isEmpty();
        room.drain(10 * SECOND);
        room.drain(11 * SECOND);

        assertThat(entry.outcomes).containsExactly(wait);
        assertThat(entry.cancel()).as("already decided").isFalse();
        assertThat(room.size()).isZero();
    }

    @Test
    void aRejectionIsHandedOutAtOnce() {
        Decision.Reject reject = new Decision.Reject(Decision.RejectReason.UPSTREAM_UNHEALTHY, 3);
        WaitingRoom room = new WaitingRoom(5, Duration.ofSeconds(10), (k, c, n) -> reject);
        Recorded entry = new Recorded("a", 0, 0);
        room.offer(entry);

        room.drain(SECOND);

        assertThat(entry.outcomes).containsExactly(reject);
    }

    @Test
    void blockingIsPerClass() {
        ScriptedDecider decider = new ScriptedDecider();
        decider.byKey.put("everyone-1", ScriptedDecider.WAIT);
        decider.byKey.put("everyone-2", Decision.Admit.NEWLY_ADMITTED);
        decider.byKey.put("paying-1", Decision.Admit.NEWLY_ADMITTED);
        WaitingRoom room = new WaitingRoom(5, Duration.ofSeconds(10), decider);
        Recorded everyone1 = new Recorded("everyone-1", 1, 0);
        Recorded everyone2 = new Recorded("everyone-2", 1, 0);
        Recorded paying1 = new Recorded("paying-1", 0, 0);
        room.offer(everyone1);
        room.offer(everyone2);
        room.offer(paying1);

        room.drain(SECOND);

        assertThat(everyone1.outcomes).isEmpty();
        assertThat(everyone2.outcomes)
                .as("behind an eligible waiter of its class")
                .isEmpty();
        assertThat(paying1.outcomes).containsExactly(Decision.Admit.NEWLY_ADMITTED);
    }

    /**
     * Offers and cancels from several threads while others drain and admit: every entry ends
     * decided or cancelled, never both, never twice, and the count returns to zero.
     */
    @Test
    void everyEntryIsDecidedOrCancelledExactlyOnceUnderConcurrency() throws Exception {
        AtomicInteger tokens = new AtomicInteger();
        WaitingRoom room = new WaitingRoom(
                100_000,
                Duration.ofDays(1),
                (k, c, n) -> tokens.getAndUpdate(t -> t > 0 ? t - 1 : t) > 0
                        ? Decision.Admit.NEWLY_ADMITTED
                        : ScriptedDecider.WAIT);
        int producers = 3;
        int perProducer = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(producers + 2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Object[]>>> produced = new ArrayList<>();
        try {
            for (int p = 0; p < producers; p++) {
                int id = p;
                produced.add(pool.submit(() -> {
                    start.await();
                    List<Object[]> mine = new ArrayList<>();
                    for (int i = 0; i < perProducer; i++) {
                        Recorded entry = new Recorded(id + "-" + i, 0, 0);
                        if (!room.offer(entry)) {
                            throw new AssertionError("room full at " + room.size());
                        }
                        boolean cancelled = i % 3 == 0 && entry.cancel();
                        mine.add(new Object[] {entry, cancelled});
                    }
                    return mine;
                }));
            }
            List<Future<?>> drainers = new ArrayList<>();
            for (int d = 0; d < 2; d++) {
                drainers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2_000; i++) {
                        tokens.addAndGet(5);
                        room.drain(i);
                    }
                    return null;
                }));
            }
            start.countDown();
            List<Object[]> all = new ArrayList<>();
            for (Future<List<Object[]>> f : produced) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            for (Future<?> f : drainers) {
                f.get(60, TimeUnit.SECONDS);
            }
            tokens.set(Integer.MAX_VALUE);
            room.drain(Long.MAX_VALUE / 2);

            for (Object[] row : all) {
                Recorded entry = (Recorded) row[0];
                boolean cancelled = (Boolean) row[1];
                assertThat(entry.outcomes).hasSize(cancelled ? 0 : 1);
            }
            assertThat(room.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
