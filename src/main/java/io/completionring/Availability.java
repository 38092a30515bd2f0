package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The publication of a multi-producer ring: which claimed positions their producers have written, and the tail moved
 * over the contiguous written ones.
 *
 * <p>Producers claim positions in completion order (a CAS in the ring) but finish writing them in any order. Each
 * producer marks its positions written here ({@code marks[PAD + (seq & mask)] = seq}) and is done: it never touches
 * the tail. Whoever reads the tail (a reaper's take, a waiter's re-check, a snapshot) first moves it by CAS over every
 * contiguous marked position from the tail on ({@link #advance}), as the Disruptor's consumers scan its availability
 * buffer. So a producer descheduled between its claim and its mark holds back the positions behind its own, and loses
 * none of them: the first read of the tail after its mark moves the tail over all of them.
 *
 * <p>Ordering (docs/design.md, "Multi-producer publication"):
 * <ol>
 * <li>Seed 004 per slot: the producer's plain slot writes, then its release store of the mark; the advancer's
 * acquire load of the mark, then its tail CAS (volatile), then its slot reads if it is a reaper; another reaper's
 * acquire load of that tail, then its slot reads. So a reaper never reads a slot before the producer that claimed it
 * has written it, whatever order the producers finish in.
 * <li>Seed 000 for every producer: after its marks, {@link Fence#light} and a read of the reapers' waiter word, in the
 * ring (the single producer's tail store is here the mark store); a waiter raises the word, {@link Fence#heavy}, and
 * re-checks through {@link #advance}, which reads the marks. So a producer misses a parked reaper only if that
 * reaper's re-check sees the producer's marks.
 * <li>Nothing relies on an advancer to come back: a position marked after an advancer's scan stopped before it is
 * found by the next read of the tail, and its producer's waiter check (point 2) makes sure a waiting reaper makes
 * that read.
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
     * Moves the tail over the contiguous written positions from it, and returns the tail as this call left or found
     * it: every position marked before the call, with none unmarked before it, lies below the returned value, and the
     * slot writes of every position below it happen-before the caller's next action (point 1).
     */
    long advance() {
        final long[] marks = this.marks;
        final long[] counters = this.counters;
        for (;;) {
            // Volatile: an acquire load of the tail, which another advancer's CAS published.
            final long t = (long) LONG.getVolatile(counters, tail);
            long end = t;
            // Acquire: the slot writes of a marked position happen-before this thread's CAS and its reads after it.
            // A slot holds one mark at a time, and claims stay within a lap of the tail, so the scan ends within one.
            while ((long) LONG.getAcquire(marks, PAD + ((int) end & mask)) == end) {
                end++;
            }
            if (end == t || LONG.compareAndSet(counters, tail, t, end)) {
                return end;
            }
            // Another advancer moved the tail first: read it again, and scan on from there.
        }
    }
}
