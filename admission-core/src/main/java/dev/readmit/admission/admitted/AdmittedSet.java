package dev.readmit.admission.admitted;

import dev.readmit.admission.NanoClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The set of admitted clients, keyed by the 64-bit hash of the client key, with an idle timeout and
 * a maximum size. It is consulted on every request, so its read path ({@link #touchIfPresent}) takes
 * no lock, allocates nothing and costs one cache-line probe in the common case.
 *
 * <p>Keys are non-zero {@code long}s (0 is the "no client" sentinel of the whole core). A client
 * stays admitted until it has not been seen for the idle timeout; {@link #expireDue} removes idle
 * clients a slice of the table at a time and is meant to be called on every tick of one ticker
 * thread ({@link #expire} walks the whole table at once). Idle expiry is
 * measured in coarse ticks (a power of two of nanoseconds, between {@code idleTimeout / 128} and
 * {@code idleTimeout / 64}): a client is never treated as idle before {@code idleTimeout} has
 * passed since it was last seen, and is treated as idle at most two ticks (at most about 3% of the
 * timeout) later.
 *
 * <p>Thread safety: every method may be called from any thread. {@link #touchIfPresent} and
 * {@link #remove} are lock free; {@link #add} is lock free unless the set is full, in which case it
 * runs one {@link #expire} pass before refusing (at most one such pass per tick: a full set
 * refuses at once if a pass already ran in the current tick); {@link #expire} runs under a lock so
 * that only one thread at a time reclaims slots.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Open addressing with linear probing over one {@code long[]}: slot {@code i} is the pair
 * {@code table[2i]} (the key) and {@code table[2i + 1]} (its last-seen tick), so a probe reads one
 * 16-byte pair, within one cache line, and the next probe is usually in the same line. The number
 * of slots is the power of two at least {@code 2 * maxClients} (load factor at most 0.5). Keys
 * never move. A key slot goes {@code EMPTY -> key -> TOMBSTONE}, and a tombstone goes through
 * {@code RESERVED} (owned by exactly one thread, which won the CAS) either to a new key or back to
 * {@code EMPTY}. Every state change of a key slot is a CAS or a volatile store through a
 * {@link VarHandle}; readers use acquire loads (plain loads on x86).
 *
 * <ul>
 *   <li>Touch: acquire load of the key, then of its tick, then of the key again. The second key
 *       load matters: between the first two loads the expiry pass may have expired the slot and
 *       reclaimed it (tick reset to {@link #FRESH}), or an insert may have reused it, so a tick
 *       counts only if the slot still holds the key afterwards; otherwise the probe starts over.
 *       The tick is written only when the coarse tick has moved on (once per tick per client, not
 *       once per request, so a busy client does not keep dirtying its cache line), and then by
 *       CAS, because the expiry pass claims an idle slot by CAS on the same word ({@code tick ->
 *       CLAIMED}) before it removes the key: whichever CAS comes first wins, so a client whose
 *       touch answered true is never expired by a concurrent pass, and a touch that comes second
 *       answers false. Two touches racing on one tick lose nothing: the loser's CAS fails because
 *       the winner stored the same or a newer tick. (A concurrency test checks the "kept if and
 *       only if the touch answered true" property over 500,000 races.)
 *   <li>Insert: probe the key's chain up to the first empty slot; if a live copy is there, refresh
 *       it. Otherwise take the first tombstone of the chain ({@code TOMBSTONE -> RESERVED} by CAS,
 *       tick set to {@link #FRESH}, then the key stored with release semantics, so a reader that
 *       sees the key sees {@code FRESH} or a later tick), or else the empty slot that ends the
 *       chain ({@code EMPTY -> key} by CAS; reclaimed slots already hold {@code FRESH}). A
 *       {@code FRESH} slot is present and never idle; the inserter stores the real tick (CAS from
 *       {@code FRESH}) once its insert is validated.
 *   <li>Validation, after every insert: the inserter re-reads its whole chain, from the home slot
 *       to the first empty slot after its own, while a reclaim sequence counter stays even and
 *       unchanged (a seqlock; the counter is odd while the expiry pass empties a slot). An empty
 *       slot before its own means a reclaim emptied part of the chain under its probe, so readers
 *       could miss the key: it undoes its insert and starts again. A live copy of the key before
 *       its own means a concurrent add of the same client won: it undoes its own. Live copies after
 *       its own were put there by concurrent adds that did not see it: it removes them. Of two
 *       concurrent adds, at least the one that validates second sees the other's copy (all these
 *       accesses are sequentially consistent), so exactly one copy, the earliest, stays.
 *   <li>Remove: CAS {@code key -> TOMBSTONE}. Whoever wins that CAS (remover, expiry pass, a
 *       validating inserter) gives back the slot's share of {@link #size()}, so the size stays
 *       exact.
 *   <li>Reclaim, by the expiry pass only (under a lock, off the request path): a tombstone whose
 *       next slot is empty ends its cluster, so no key's probe chain runs through it, and it can
 *       become empty. The pass walks the table backwards from an empty slot, so whole runs of
 *       tombstones empty in one pass, and expires idle clients on the way. Each emptying is
 *       bracketed by the reclaim sequence (odd before, even after) and re-checks that the next
 *       slot is still empty inside that window, so an insert that took the next slot meanwhile is
 *       caught by its validation. A key whose insert was validated has a chain of non-empty slots
 *       that no later reclaim can empty, since the slot after any tombstone on it is non-empty;
 *       that is why readers never need the counter.
 * </ul>
 *
 * <p>Memory: {@code 16 * slots} bytes in one array, no per-client object: 32 MiB for 1,000,000
 * clients (2,097,152 slots), 33.6 bytes per admitted client at full occupancy.
 */
public final class AdmittedSet {

    /** Key slot that has never held a key, or was reclaimed. */
    private static final long EMPTY = 0L;
    /** Key slot whose key was removed; skipped by readers, reclaimed by the expiry pass. */
    private static final long TOMBSTONE = Long.MIN_VALUE;
    /** Key slot owned by one thread: a tombstone being reused by an insert or reclaimed. */
    private static final long RESERVED = Long.MIN_VALUE + 1;
    /** Client hashes equal to {@link #TOMBSTONE} or {@link #RESERVED} are stored as this value. */
    private static final long SENTINEL_ALIAS = Long.MIN_VALUE + 2;
    /** Tick of a slot that is empty or whose insert is in progress: present, never idle. */
    private static final long FRESH = Long.MAX_VALUE;
    /** Tick of a slot the expiry pass has claimed: the key is about to become a tombstone. */
    private static final long CLAIMED = Long.MIN_VALUE;

    /** A tick is the largest power of two of nanoseconds not above idleTimeout / 64. */
    private static final int TICKS_PER_TIMEOUT = 64;

    private static final int MAX_CLIENTS = 1 << 28;
    private static final long MIN_SWEEP_PERIOD_NANOS = 1_000_000L;
    private static final long MAX_SWEEP_PERIOD_NANOS = 60_000_000_000L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * Index of the size counter in {@link #counters}. The counters sit 64 bytes apart and at least
     * 64 bytes from either end of their array, so their writes never invalidate the cache line of
     * the final fields that every {@link #touchIfPresent} reads, nor each other's.
     */
    private static final int SIZE = 8;
    /** Index of the reclaim sequence: odd while the expiry pass empties a slot. */
    private static final int RECLAIM_SEQUENCE = 16;
    /** Index of the tick of the latest expiry pass, plus one (0: no pass yet). */
    private static final int LAST_PASS_TICK = 24;

    private final long[] table;
    private final int mask;
    private final int indexShift;
    private final int maxClients;
    private final long originNanos;
    /** A tick is {@code 1 << tickShift} nanoseconds: a shift, not a division, on the hot path. */
    private final int tickShift;

    private final long idleTicks;
    /** Size, reclaim sequence and last pass tick (the last two written under {@link #expiryLock}). */
    private final AtomicLongArray counters = new AtomicLongArray(32);

    private final ReentrantLock expiryLock = new ReentrantLock();

    /** Expiry passes run so far; guarded by {@link #expiryLock}, for tests. */
    private long passes;

    /** The rolling pass walks the whole table once per this period. */
    private final long sweepPeriodNanos;
    /** The slot the rolling pass looked at last; it walks backwards. Guarded by {@link #expiryLock}. */
    private int sweepCursor;
    /** When the rolling pass last ran; guarded by {@link #expiryLock}. */
    private long lastSweepNanos;

    private AdmittedSet(int maxClients, long idleNanos, long originNanos) {
        int slots = Integer.highestOneBit(Math.max(8, maxClients) * 2 - 1) << 1;
        this.table = new long[slots * 2];
        for (int i = 1; i < table.length; i += 2) {
            table[i] = FRESH;
        }
        this.mask = slots - 1;
        this.indexShift = Long.numberOfLeadingZeros(slots) + 1;
        this.maxClients = maxClients;
        this.originNanos = originNanos;
        this.tickShift = 63 - Long.numberOfLeadingZeros(Math.max(1L, idleNanos / TICKS_PER_TIMEOUT));
        long tickNanos = 1L << tickShift;
        this.idleTicks = (idleNanos + tickNanos - 1) / tickNanos;
        this.sweepPeriodNanos = Math.max(MIN_SWEEP_PERIOD_NANOS, Math.min(MAX_SWEEP_PERIOD_NANOS, idleNanos / 4));
        this.lastSweepNanos = originNanos;
    }

    /**
     * Creates an empty set.
     *
     * @param maxClients the most clients admitted at once, 1 to 268,435,456; the table takes
     *     {@code 16 * nextPowerOfTwo(2 * maxClients)} bytes up front
     * @param idleTimeout how long a client stays admitted without being seen; positive
     * @param clock the clock that the {@code nowNanos} arguments come from; read once here, as the
     *     origin of the coarse ticks
     * @throws IllegalArgumentException if a value is out of range
     */
    public static AdmittedSet create(int maxClients, Duration idleTimeout, NanoClock clock) {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(clock, "clock");
        if (maxClients < 1 || maxClients > MAX_CLIENTS) {
            throw new IllegalArgumentException(
                    "maxClients must be between 1 and " + MAX_CLIENTS + ", got " + maxClients);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        }
        long idleNanos;
        try {
            idleNanos = idleTimeout.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("idleTimeout is too long (at most 292 years), got " + idleTimeout, e);
        }
        return new AdmittedSet(maxClients, idleNanos, clock.nanoTime());
    }

    /**
     * The hot path: tells whether {@code clientHash} is admitted and not idle, and if so records it
     * as seen at {@code nowNanos}. A client that is idle but not yet removed by {@link #expire} is
     * reported as absent and not revived. No lock, no allocation.
     *
     * @param clientHash the client's key hash; 0 is never admitted
     * @param nowNanos the current time of the set's clock
     * @return true if admitted and not idle
     */
    public boolean touchIfPresent(long clientHash, long nowNanos) {
        long key = storedKey(clientHash);
        if (key == EMPTY) {
            return false;
        }
        long nowTick = tick(nowNanos);
        int home = home(key);
        int slot = home;
        for (int probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
            int keyIndex = slot << 1;
            long k = (long) SLOTS.getAcquire(table, keyIndex);
            if (k == EMPTY) {
                return false;
            }
            if (k != key) {
                continue;
            }
            long seen = (long) SLOTS.getAcquire(table, keyIndex + 1);
            if (seen == CLAIMED) {
                continue; // a dying copy; a live one may follow
            }
            boolean admitted = true;
            if (seen != FRESH) {
                if (nowTick - seen > idleTicks) {
                    admitted = false;
                } else if (nowTick > seen
                        && !SLOTS.compareAndSet(table, keyIndex + 1, seen, nowTick)
                        && (long) SLOTS.getAcquire(table, keyIndex + 1) == CLAIMED) {
                    admitted = false; // the expiry pass claimed it first
                }
            }
            // The tick read above belongs to our key only if the slot still holds it: between the
            // two loads the slot may have been expired and reclaimed (tick reset to FRESH) or reused.
            if ((long) SLOTS.getAcquire(table, keyIndex) == key) {
                return admitted;
            }
            slot = (home - 1) & mask;
            probes = -1;
        }
        return false;
    }

    /**
     * Admits {@code clientHash} as seen at {@code nowNanos}. Idempotent: adding an admitted client
     * (even one that is idle but not yet removed) only refreshes its last-seen time. When the set
     * is full, one {@link #expire} pass runs first; if the set is still full the client is refused.
     *
     * @param clientHash the client's key hash, not 0
     * @param nowNanos the current time of the set's clock
     * @return true if the client is admitted now, false if the set is full
     * @throws IllegalArgumentException if {@code clientHash} is 0
     */
    public boolean add(long clientHash, long nowNanos) {
        long key = storedKey(clientHash);
        if (key == EMPTY) {
            throw new IllegalArgumentException("clientHash 0 is reserved for \"no client\"");
        }
        long nowTick = tick(nowNanos);
        if (refresh(key, nowTick)) {
            return true;
        }
        if (!reserve(nowNanos)) {
            return false;
        }
        int home = home(key);
        while (true) {
            int slot = claimSlot(key, home, nowTick);
            if (slot == RETRY) {
                continue;
            }
            if (slot == PRESENT || slot == NO_SLOT) {
                counters.decrementAndGet(SIZE); // the reservation was not needed, or cannot be used
                return slot == PRESENT;
            }
            int verdict = validate(key, home, slot);
            if (verdict == KEPT) {
                SLOTS.compareAndSet(table, (slot << 1) + 1, FRESH, nowTick);
                return true;
            }
            if (!SLOTS.compareAndSet(table, slot << 1, key, TOMBSTONE)) {
                // removed by remove() or by another add's validation, which took back the reservation
                return true;
            }
            if (verdict == EARLIER_COPY) {
                counters.decrementAndGet(SIZE);
                return true;
            }
            // CHAIN_BROKEN: the reservation still stands; insert again
        }
    }

    private static final int RETRY = -1;
    private static final int PRESENT = -2;
    private static final int NO_SLOT = -3;

    /**
     * Puts {@code key} in the first free slot of its probe chain: the first tombstone if any (taken
     * through {@link #RESERVED}, so that exactly one thread owns it), else the empty slot that ends
     * the chain. Returns the slot, or {@link #PRESENT} if a live copy was found (and refreshed),
     * {@link #RETRY} if another thread changed a slot under us, {@link #NO_SLOT} if the table has
     * no free slot at all.
     */
    private int claimSlot(long key, int home, long nowTick) {
        int slot = home;
        int firstTombstone = -1;
        for (int probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
            long k = (long) SLOTS.getVolatile(table, slot << 1);
            if (k == EMPTY) {
                if (firstTombstone >= 0) {
                    break;
                }
                return SLOTS.compareAndSet(table, slot << 1, EMPTY, key) ? slot : RETRY;
            }
            if (k == key && refreshSlot(slot, key, nowTick)) {
                return PRESENT;
            }
            if (k == TOMBSTONE && firstTombstone < 0) {
                firstTombstone = slot;
            }
        }
        if (firstTombstone < 0) {
            return NO_SLOT;
        }
        if (!SLOTS.compareAndSet(table, firstTombstone << 1, TOMBSTONE, RESERVED)) {
            return RETRY;
        }
        // FRESH before the key is published (release), so a reader that sees the key sees FRESH
        SLOTS.setVolatile(table, (firstTombstone << 1) + 1, FRESH);
        SLOTS.setRelease(table, firstTombstone << 1, key);
        return firstTombstone;
    }

    private static final int KEPT = 0;
    private static final int CHAIN_BROKEN = 1;
    private static final int EARLIER_COPY = 2;

    /**
     * Checks the probe chain of a key just inserted at {@code inserted}, on a snapshot taken while
     * the reclaim sequence stayed even and unchanged: no slot before ours may be empty (else a
     * reclaim emptied it under our probe and readers could miss us: {@link #CHAIN_BROKEN}), no live
     * copy of the key may come before ours ({@link #EARLIER_COPY}: a concurrent add of the same
     * client won). Live copies after ours were put there by concurrent adds that did not see ours;
     * they are removed here, so that whichever add validates second keeps exactly one copy, the
     * earliest.
     */
    private int validate(long key, int home, int inserted) {
        while (true) {
            long sequence = counters.get(RECLAIM_SEQUENCE);
            if ((sequence & 1) != 0) {
                Thread.onSpinWait(); // the expiry pass is inside one reclaim write
                continue;
            }
            int verdict = KEPT;
            boolean passedOwn = false;
            int slot = home;
            for (int probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
                long k = (long) SLOTS.getVolatile(table, slot << 1);
                if (slot == inserted) {
                    if (k != key) {
                        break; // ours was removed concurrently: leave any later copy alone
                    }
                    passedOwn = true;
                } else if (k == EMPTY) {
                    if (!passedOwn) {
                        verdict = CHAIN_BROKEN;
                    }
                    break;
                } else if (k == key && (long) SLOTS.getVolatile(table, (slot << 1) + 1) != CLAIMED) {
                    if (!passedOwn) {
                        verdict = EARLIER_COPY;
                        break;
                    }
                    if (SLOTS.compareAndSet(table, slot << 1, key, TOMBSTONE)) {
                        counters.decrementAndGet(SIZE);
                    }
                }
            }
            if (counters.get(RECLAIM_SEQUENCE) == sequence) {
                return verdict;
            }
        }
    }

    /** Refreshes a present copy of {@code key}, reviving it if idle; false if there is none. */
    private boolean refresh(long key, long nowTick) {
        int slot = home(key);
        for (int probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
            long k = (long) SLOTS.getAcquire(table, slot << 1);
            if (k == EMPTY) {
                return false;
            }
            if (k == key && refreshSlot(slot, key, nowTick)) {
                return true;
            }
        }
        return false;
    }

    /** Moves the tick of a slot holding our key forward; false if claimed by expiry or no longer ours. */
    private boolean refreshSlot(int slot, long key, long nowTick) {
        int index = (slot << 1) + 1;
        while (true) {
            long seen = (long) SLOTS.getAcquire(table, index);
            if (seen == CLAIMED) {
                return false;
            }
            if (seen == FRESH || seen >= nowTick || SLOTS.compareAndSet(table, index, seen, nowTick)) {
                // as in touchIfPresent: the tick counts only if the slot still holds our key
                return (long) SLOTS.getAcquire(table, slot << 1) == key;
            }
        }
    }

    /** Takes one unit of {@link #size}, running one expiry pass if the set is full. */
    private boolean reserve(long nowNanos) {
        boolean expired = false;
        while (true) {
            long current = counters.get(SIZE);
            if (current >= maxClients) {
                // Idleness changes only when the tick does: a second pass in the same tick would
                // scan the whole table to free nothing, on the caller's (request) thread.
                if (expired || counters.get(LAST_PASS_TICK) > tick(nowNanos)) {
                    return false;
                }
                expire(nowNanos);
                expired = true;
                continue;
            }
            if (counters.compareAndSet(SIZE, current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Removes {@code clientHash} at once, whether idle or not.
     *
     * @param clientHash the client's key hash; 0 is never present
     * @return true if it was present (idle or not) and this call removed it
     */
    public boolean remove(long clientHash) {
        long key = storedKey(clientHash);
        if (key == EMPTY) {
            return false;
        }
        boolean removed = false;
        int slot = home(key);
        for (int probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
            long k = (long) SLOTS.getAcquire(table, slot << 1);
            if (k == EMPTY) {
                break;
            }
            if (k == key && SLOTS.compareAndSet(table, slot << 1, key, TOMBSTONE)) {
                counters.decrementAndGet(SIZE);
                removed = true;
            }
        }
        return removed;
    }

    /**
     * The number of admitted clients, including idle ones not yet removed by {@link #expire}. Exact
     * when no call is in progress; a snapshot otherwise.
     */
    public int size() {
        return (int) counters.get(SIZE);
    }

    /** The most clients admitted at once, as given to {@link #create}. */
    public int maxClients() {
        return maxClients;
    }

    /**
     * Removes every client not seen for the idle timeout as of {@code nowNanos} and reclaims the
     * slots of removed clients. One pass over the whole table (about 32 MiB for 1,000,000 clients),
     * meant for one ticker thread every second or so; concurrent calls run one after the other.
     *
     * @param nowNanos the current time of the set's clock
     * @return how many clients this pass removed
     */
    public int expire(long nowNanos) {
        expiryLock.lock();
        try {
            return expireLocked(tick(nowNanos));
        } finally {
            expiryLock.unlock();
        }
    }

    private int expireLocked(long nowTick) {
        if (counters.getPlain(LAST_PASS_TICK) < nowTick + 1) {
            counters.set(LAST_PASS_TICK, nowTick + 1);
        }
        passes++;
        int anchor = -1;
        for (int slot = 0; slot <= mask; slot++) {
            if ((long) SLOTS.getAcquire(table, slot << 1) == EMPTY) {
                anchor = slot;
                break;
            }
        }
        if (anchor < 0) {
            anchor = 0; // no empty slot at all: expire, and reclaim from the first gap this makes
        }
        int removed = 0;
        for (int step = 1; step <= mask + 1; step++) {
            removed += expireSlot((anchor - step) & mask, nowTick);
        }
        return removed;
    }

    /**
     * The rolling expiry pass: does the share of a full pass that is due at {@code nowNanos}, so that
     * the whole table is walked once per sweep period ({@code idleTimeout / 4}, at least 1 ms and at
     * most 60 s) in slices, instead of all at once. Meant for the ticker, on every tick: the cost is
     * spread evenly (about 70,000 slots a second for 1,000,000 clients and a 10-minute timeout,
     * against a 32 MiB walk every second), which keeps the walk from evicting the request path's
     * data from the caches. An idle client is removed at most one sweep period after it became idle;
     * a call after a long gap (a sweep period or more) walks the whole table.
     *
     * @param nowNanos the current time of the set's clock
     * @return how many clients this call removed
     */
    public int expireDue(long nowNanos) {
        expiryLock.lock();
        try {
            long elapsed = nowNanos - lastSweepNanos;
            if (elapsed <= 0) {
                return 0;
            }
            int slots = mask + 1;
            long due =
                    elapsed >= sweepPeriodNanos ? slots : (long) Math.ceil((double) slots * elapsed / sweepPeriodNanos);
            lastSweepNanos = nowNanos;
            long nowTick = tick(nowNanos);
            int removed = 0;
            for (long i = 0; i < due; i++) {
                sweepCursor = (sweepCursor - 1) & mask;
                removed += expireSlot(sweepCursor, nowTick);
            }
            return removed;
        } finally {
            expiryLock.unlock();
        }
    }

    /** Expires the client in {@code slot} if idle, reclaims the slot if it ends its cluster; 1 if removed. */
    private int expireSlot(int slot, long nowTick) {
        int keyIndex = slot << 1;
        long k = (long) SLOTS.getVolatile(table, keyIndex);
        int removed = 0;
        if (k != EMPTY && k != TOMBSTONE && k != RESERVED) {
            long seen = (long) SLOTS.getVolatile(table, keyIndex + 1);
            if (seen != FRESH
                    && seen != CLAIMED
                    && nowTick - seen > idleTicks
                    && SLOTS.compareAndSet(table, keyIndex + 1, seen, CLAIMED)) {
                if (SLOTS.compareAndSet(table, keyIndex, k, TOMBSTONE)) {
                    counters.decrementAndGet(SIZE);
                    removed = 1;
                }
                k = TOMBSTONE;
            }
        }
        if (k == TOMBSTONE) {
            reclaimIfClusterEnd(slot);
        }
        return removed;
    }

    /** Empties a tombstone whose next slot is empty, inside one odd reclaim-sequence window. */
    private void reclaimIfClusterEnd(int slot) {
        int next = (slot + 1) & mask;
        if ((long) SLOTS.getVolatile(table, next << 1) != EMPTY) {
            return;
        }
        if (!SLOTS.compareAndSet(table, slot << 1, TOMBSTONE, RESERVED)) {
            return; // an insert is reusing it
        }
        long sequence = counters.getPlain(RECLAIM_SEQUENCE);
        counters.set(RECLAIM_SEQUENCE, sequence + 1);
        // checked again inside the window: an insert that takes `next` now sees the odd sequence
        if ((long) SLOTS.getVolatile(table, next << 1) == EMPTY) {
            SLOTS.setVolatile(table, (slot << 1) + 1, FRESH);
            SLOTS.setVolatile(table, slot << 1, EMPTY);
        } else {
            SLOTS.setVolatile(table, slot << 1, TOMBSTONE);
        }
        counters.set(RECLAIM_SEQUENCE, sequence + 2);
    }

    private long tick(long nowNanos) {
        long elapsed = nowNanos - originNanos;
        return elapsed <= 0 ? 0 : elapsed >>> tickShift;
    }

    int home(long key) {
        return (int) ((key * GOLDEN_GAMMA) >>> indexShift);
    }

    private static long storedKey(long clientHash) {
        return clientHash == TOMBSTONE || clientHash == RESERVED ? SENTINEL_ALIAS : clientHash;
    }

    /** Expiry passes run so far; for tests. */
    long expiryPasses() {
        expiryLock.lock();
        try {
            return passes;
        } finally {
            expiryLock.unlock();
        }
    }

    /** The rolling pass's period; for tests. */
    long sweepPeriodNanos() {
        return sweepPeriodNanos;
    }

    /** Number of slots; for tests. */
    int slots() {
        return mask + 1;
    }

    /** Bytes held by the table; for tests and the README figure. */
    long tableBytes() {
        return 16L + 8L * table.length;
    }

    /** Number of key slots holding a live (not claimed) copy of {@code clientHash}; for tests. */
    int liveCopies(long clientHash) {
        long key = storedKey(clientHash);
        int copies = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if ((long) SLOTS.getVolatile(table, slot << 1) == key
                    && (long) SLOTS.getVolatile(table, (slot << 1) + 1) != CLAIMED) {
                copies++;
            }
        }
        return copies;
    }
}
