package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The publication of a multi-producer ring: which claimed positions their producers have written, and the tail moved
 * over the contiguous written ones.
 *
 * <p>Producers claim positions in completion order (a CAS in the ring) but finish writing them in any order. Each
 * producer marks its positions written here ({@code marks[PAD + (seq & mask)] = seq}) and then tries to move the tail
 * over every contiguous marked position from the tail on, its own and any others that are ready: whichever producer
 * finds the position at the tail marked moves the tail, so a producer descheduled between its claim and its mark
 * holds back the positions behind its own, and loses none of them; they are published by the CAS that follows its
 * mark. The Disruptor's multi-producer sequencer keeps the same kind of availability buffer but leaves the scan to
 * its consumers; here the scan is the producers', so reapers read only the tail, as in a single-producer ring.
 *
 * <p>Ordering (docs/design.md, "Multi-producer publication"):
 * <ol>
 * <li>Seed 004 per slot: the producer's plain slot writes, then its release store of the mark; the advancer's
 * acquire load of the mark, then its CAS of the tail (volatile); a reaper's acquire load of the tail, then its slot
 * reads. So a reaper never reads a slot before the producer that claimed it has written it.
 * <li>No position left behind: a producer marks, then fences (full), then reads the tail and the marks after it; an
 * advancer reads a mark, and stops at the first one unset. Store-then-load on both sides: if an advancer misses the
 * mark of a producer at its stopping point, that producer's own reads, after its fence, see the tail and every mark
 * the advancer saw, and it moves the tail itself. (A CAS that fails means another producer moved the tail; the loop
 * reads it again.) The scans after an advancer's first rely on its CAS instead of its fence: a CAS is a full fence,
 * successful or not, so a producer whose fenced read of the tail came before the CAS (and so scanned from the old
 * tail and stopped short of its own mark) has its mark seen by the advancer's next scan.
 * <li>Seed 000 for every producer: a producer that moved the tail reads the reapers' waiter word after its last CAS
 * (volatile write, then volatile read); one whose events another producer's CAS published relies on that producer's
 * check, which follows the tail that includes them. So a CAS that moved the tail over other producers' positions
 * only, none of the caller's, still obliges the caller to the check: their owners may have found the tail already
 * past them and returned without one.
 * </ol>
 */
final class Availability {

    /** Longs at either end of the marks, as for the ring's slot arrays: other objects stay off the hot lines. */
    private static final int PAD = 16;

    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);

    /** The sequence last marked written in each slot, at PAD + (seq & mask); -1 before the first. */
    private final long[] marks;
    private final int mask;
    /** The ring's padded counters holder, and the index of the tail in it. */
    private final long[] counters;
    private final int tail;

    Availability(int capacity, long[] counters, int tail) {
        this.marks = new long[capacity + 2 * PAD];
        Arrays.fill(marks, -1L);                            // seq s first lands in slot s & mask, and s >= 0
        this.mask = capacity - 1;
        this.counters = counters;
        this.tail = tail;
    }

    /**
     * Marks positions {@code [from, from + n)} written (the caller has written their slots) and moves the tail over
     * every contiguous written position from the tail on.
     *
     * @return true if this call moved the tail: the caller must then do the waiter check (seed 000)
     */
    boolean publish(long from, int n) {
        mark(from, n);
        VarHandle.fullFence();                              // the marks before the reads of the tail and marks below
        return advance();
    }

    /** Marks positions {@code [from, from + n)} written; their slots must have been written by this thread. */
    void mark(long from, int n) {
        final long[] marks = this.marks;
        // Last to first: an advancer that acquires the batch's first mark sees the others, and so moves the tail
        // over the whole completeAll or stops before it; reapers see all of its events or none.
        for (long seq = from + n - 1; seq >= from; seq--) {
            LONG.setRelease(marks, PAD + ((int) seq & mask), seq); // seed 004: the slot writes before the mark
        }
    }

    /**
     * Moves the tail over the contiguous written positions from it; returns true if a CAS of this call moved it,
     * whoever's positions it moved over (point 3 above).
     */
    boolean advance() {
        final long[] marks = this.marks;
        final long[] counters = this.counters;
        boolean moved = false;
        for (;;) {
            final long t = (long) LONG.getVolatile(counters, tail);
            long end = t;
            // Acquire: the slot writes of a marked position happen-before this thread's CAS, and so before the reads
            // of any reaper that acquires the tail. A slot holds one mark at a time, so the scan ends within a lap.
            while ((long) LONG.getAcquire(marks, PAD + ((int) end & mask)) == end) {
                end++;
            }
            if (end == t) {
                return moved;                               // the position at the tail is not written yet: its
            }                                               // producer moves the tail when it marks it (point 2)
            if (LONG.compareAndSet(counters, tail, t, end)) {
                moved = true;
            }
        }
    }
}
