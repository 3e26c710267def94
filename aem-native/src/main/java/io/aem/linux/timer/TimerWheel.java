package io.aem.linux.timer;

/**
 * A hierarchical timer wheel over abstract ticks: {@value #LEVELS} levels of {@value #SLOTS}
 * slots, level {@code n} slots spanning {@code 64^n} ticks, so inserting and cancelling cost
 * the same for a deadline one tick or years away, and a timer moves down at most
 * {@code LEVELS - 1} times before it fires. Each level keeps a 64-bit mask of its occupied
 * slots; the next expiry is found from the masks without looking at any timer.
 *
 * <p>A timer lives at the level given by the highest 6-bit group in which its tick differs
 * from the wheel's current tick ({@code elapsed}); when a slot above level 0 comes due, its
 * timers are re-inserted relative to the new {@code elapsed} and so fall to lower levels.
 * Slots are circular doubly linked lists through {@link TimerEntries}, with the list heads as
 * reserved entries, so a cancel unlinks in {@code O(1)} and frees the entry at once.
 *
 * <p>{@link #advance} hands every timer whose tick has come, in tick order, to an
 * {@link Expiry}, detached from the wheel; the callback frees it ({@link #release}) or puts it
 * back for a later tick ({@link #rearm}). Timers due in the same tick are handed over in no
 * particular order. The callback may insert and cancel timers, the detached one included.
 *
 * <p>Not thread-safe: one thread (the loop's) owns the wheel. Ported from the design of
 * Varghese and Lauck's hierarchical wheels with per-level occupancy masks.
 */
final class TimerWheel {
    static final int SLOTS = 64;
    private static final int SLOT_BITS = 6;
    /** Levels covering every tick below {@code 2^54}. */
    static final int LEVELS = 9;
    /** The largest tick a timer may have. */
    static final long MAX_TICK = (1L << (SLOT_BITS * LEVELS)) - 1;
    private static final int PROCESSING = LEVELS * SLOTS;
    private static final int RESERVED = PROCESSING + 1;
    /** {@link #nextExpiration()} when no timer is pending. */
    static final long NONE = Long.MAX_VALUE;

    /** Receives the timers that came due. */
    interface Expiry {
        /**
         * A timer came due. Its entry is detached: the callee must call {@link #release} or
         * {@link #rearm} for it before returning.
         *
         * @param index   the entry
         * @param payload what was inserted with it
         */
        void expired(int index, Object payload);
    }

    private final TimerEntries entries = new TimerEntries(RESERVED);
    private final long[] occupied = new long[LEVELS];
    private long elapsed;

    TimerWheel() {
        for (int head = 0; head < RESERVED; head++) {
            entries.next(head, head);
            entries.prev(head, head);
        }
    }

    /** The current tick: every timer at or before it has been handed over. */
    long elapsed() {
        return elapsed;
    }

    /** Timers inserted and neither released nor cancelled (detached ones included). */
    int size() {
        return entries.size();
    }

    TimerEntries entries() {
        return entries;
    }

    /**
     * Inserts a timer.
     *
     * @param payload what {@link Expiry#expired} gets back
     * @param when    its tick; one at or before {@link #elapsed()} is moved to the next tick, one
     *                beyond {@link #MAX_TICK} is clamped
     * @return its handle
     */
    long insert(Object payload, long when) {
        int index = entries.allocate();
        entries.payload(index, payload);
        entries.when(index, clamp(when));
        link(index);
        return entries.handle(index);
    }

    /**
     * Cancels a timer: a pending one is unlinked and freed at once; a detached one (inside its
     * {@link Expiry#expired} call) is marked so that {@link #rearm} frees it.
     *
     * @return {@code false} for a stale or unknown handle
     */
    boolean cancel(long handle) {
        int index = entries.resolve(handle);
        if (index < 0) {
            return false;
        }
        int prev = entries.prev(index);
        if (prev == TimerEntries.DETACHED) {
            entries.prev(index, TimerEntries.CANCELLED);
            return true;
        }
        if (prev == TimerEntries.CANCELLED) {
            return false;
        }
        unlink(index);
        entries.free(index);
        return true;
    }

    /** Frees a detached timer. */
    void release(int index) {
        entries.free(index);
    }

    /**
     * Puts a detached timer back for a later tick, keeping its handle, unless it was cancelled
     * during its callback, in which case it is freed.
     *
     * @return whether it is pending again
     */
    boolean rearm(int index, long when) {
        if (entries.prev(index) == TimerEntries.CANCELLED) {
            entries.free(index);
            return false;
        }
        entries.when(index, clamp(when));
        link(index);
        return true;
    }

    /**
     * The tick at which {@link #advance} next has work: a level-0 timer's own tick, or the start
     * of a higher slot whose timers then move down. {@link #NONE} if nothing is pending.
     */
    long nextExpiration() {
        if (entries.next(PROCESSING) != PROCESSING) {
            return elapsed;
        }
        for (int level = 0; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                return expiration(level, nextSlot(level));
            }
        }
        return NONE;
    }

    /**
     * Hands over every timer whose tick is at or before {@code now} and moves {@code elapsed} to
     * {@code now} when done. At most {@code budget} timers are handled per call, counting both
     * those handed over and those moved down a level, so that a slot holding millions of timers
     * moves down over several calls instead of one long one.
     *
     * @return {@code true} when nothing due is left, {@code false} when the budget ran out
     */
    boolean advance(long now, int budget, Expiry expiry) {
        int handled = 0;
        for (;;) {
            int index;
            while ((index = entries.next(PROCESSING)) != PROCESSING) {
                if (handled == budget) {
                    return false;
                }
                handled++;
                long when = entries.when(index);
                unlink(index);
                if (when > elapsed) {
                    link(index);
                    continue;
                }
                entries.prev(index, TimerEntries.DETACHED);
                entries.next(index, TimerEntries.DETACHED);
                expiry.expired(index, entries.payload(index));
            }
            int level = -1;
            int slot = 0;
            long at = NONE;
            for (int l = 0; l < LEVELS; l++) {
                if (occupied[l] != 0) {
                    level = l;
                    slot = nextSlot(l);
                    at = expiration(l, slot);
                    break;
                }
            }
            if (level < 0 || at > now) {
                if (now > elapsed) {
                    elapsed = now;
                }
                return true;
            }
            elapsed = at;
            int head = level * SLOTS + slot;
            occupied[level] &= ~(1L << slot);
            spliceInto(head, PROCESSING);
        }
    }

    /**
     * Moves {@code elapsed} towards {@code now} as far as no pending slot comes due, without
     * handing anything over, so that a timer inserted next is placed relative to the present
     * rather than to the last expiry (an idle wheel's {@code elapsed} lags): it then lands on the
     * level its delay calls for and costs no extra wake-up to move down.
     */
    void catchUp(long now) {
        if (now <= elapsed) {
            return;
        }
        long next = nextExpiration();
        long target = next == NONE ? now : Math.min(now, next - 1);
        if (target > elapsed) {
            elapsed = target;
        }
    }

    /** Drops every timer. */
    void clear() {
        entries.clear();
        for (int head = 0; head < RESERVED; head++) {
            entries.next(head, head);
            entries.prev(head, head);
        }
        java.util.Arrays.fill(occupied, 0);
    }

    static int levelFor(long elapsed, long when) {
        long masked = (elapsed ^ when) | (SLOTS - 1);
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        return significant / SLOT_BITS;
    }

    private long clamp(long when) {
        if (when <= elapsed) {
            return elapsed + 1;
        }
        return Math.min(when, MAX_TICK);
    }

    private void link(int index) {
        long when = entries.when(index);
        int level = levelFor(elapsed, when);
        int slot = (int) ((when >>> (level * SLOT_BITS)) & (SLOTS - 1));
        int head = level * SLOTS + slot;
        linkAfter(index, entries.prev(head));
        occupied[level] |= 1L << slot;
    }

    /** Links {@code index} after {@code after} in the list that holds it. */
    private void linkAfter(int index, int after) {
        int following = entries.next(after);
        entries.prev(index, after);
        entries.next(index, following);
        entries.next(after, index);
        entries.prev(following, index);
    }

    private void unlink(int index) {
        int prev = entries.prev(index);
        int next = entries.next(index);
        entries.next(prev, next);
        entries.prev(next, prev);
        if (prev == next && prev < PROCESSING) {
            occupied[prev / SLOTS] &= ~(1L << (prev % SLOTS));
        }
    }

    /** Moves the whole list at {@code from} to the end of the (empty) list at {@code to}. */
    private void spliceInto(int from, int to) {
        int first = entries.next(from);
        if (first == from) {
            return;
        }
        int last = entries.prev(from);
        int tail = entries.prev(to);
        entries.next(tail, first);
        entries.prev(first, tail);
        entries.next(last, to);
        entries.prev(to, last);
        entries.next(from, from);
        entries.prev(from, from);
    }

    private int nextSlot(int level) {
        int now = (int) ((elapsed >>> (level * SLOT_BITS)) & (SLOTS - 1));
        long rotated = Long.rotateRight(occupied[level], now);
        return (Long.numberOfTrailingZeros(rotated) + now) & (SLOTS - 1);
    }

    private long expiration(int level, int slot) {
        long slotRange = 1L << (level * SLOT_BITS);
        long levelRange = slotRange << SLOT_BITS;
        long levelStart = elapsed & -levelRange;
        long at = levelStart + slot * slotRange;
        if (at <= elapsed) {
            at += levelRange;
        }
        return at;
    }
}
