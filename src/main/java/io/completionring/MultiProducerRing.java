package io.completionring;

import static io.completionring.PaddedLongs.PAD;
import static io.completionring.PaddedLongs.compareAndSet;
import static io.completionring.PaddedLongs.getAcquire;
import static io.completionring.PaddedLongs.getVolatile;
import static io.completionring.PaddedLongs.setRelease;

import java.util.Arrays;

/**
 * A ring whose producers may complete concurrently ({@code multiProducer(true)}): each claims its positions, writes
 * their slots and marks them written; whoever reads the tail moves it over the marked positions.
 *
 * <p>Producers claim positions in completion order (a CAS on {@code CLAIMED}, checked against submitted, so {@code
 * tail <= claimed <= submitted}) but finish writing them in any order. Each producer marks its positions written
 * ({@code marks[PAD + (seq & mask)] = seq}) and is done: it never touches the tail. Whoever reads the tail (a reaper's take, a
 * waiter's re-check, a snapshot) first moves it by CAS over every contiguous marked position from the tail on ({@link
 * #publishedTail}), as the Disruptor's consumers scan its availability buffer. So a producer descheduled between its
 * claim and its mark holds back the positions behind its own, and loses none of them: the first read of the tail
 * after its mark moves the tail over all of them.
 *
 * <p>Ordering (docs/design.md, "Multi-producer publication"):
 * <ol>
 * <li>Event before tail, per slot: the producer's plain slot writes, then its release store of the mark; the mover's
 * acquire load of the mark, then its tail CAS (volatile), then its slot reads if it is a reaper; another reaper's
 * acquire load of that tail, then its slot reads. So a reaper never reads a slot before the producer that claimed it
 * has written it, whatever order the producers finish in.
 * <li>Waiter check after publish, for every producer: after its marks, {@link Fence#light} and a read of the reapers'
 * waiter word ({@link #wakeReapers()}; the single producer's tail store is here the mark store); a waiter raises the
 * word, {@link Fence#heavy}, and re-checks through {@link #publishedTail}, which reads the marks. So a producer misses
 * a parked reaper only if that reaper's re-check sees the producer's marks.
 * <li>Nothing relies on a mover to come back: a position marked after a mover's scan stopped before it is found by the
 * next read of the tail, and its producer's waiter check (point 2) makes sure a waiting reaper makes that read.
 * </ol>
 */
final class MultiProducerRing extends CompletionRing {

    /** The sequence last marked written in each slot, at PAD + (seq & mask); -1 before the first. */
    private final long[] marks;

    /** A new ring, typed as the base class: see {@link CompletionRing.Builder#build()}. */
    static CompletionRing create(int capacity, int spins, long yieldNanos) {
        return new MultiProducerRing(capacity, spins, yieldNanos);
    }

    private MultiProducerRing(int capacity, int spins, long yieldNanos) {
        super(capacity, spins, yieldNanos);
        this.marks = PaddedLongs.newArray(capacity);
        Arrays.fill(marks, -1L);                            // seq s first lands in slot s & mask, and s >= 0
    }

    @Override
    public boolean isMultiProducer() {
        return true;
    }

    @Override
    public void complete(long userData, long result) {
        final long c = claim(1);
        writeSlot(c, userData, result);
        mark(c, 1);
        wakeReapers();                                      // waiter check after publish (point 2)
    }

    @Override
    void completeRange(long[] userData, long[] results, int offset, int count) {
        final long from = claim(count);
        writeSlots(from, userData, results, offset, count);
        mark(from, count);
        wakeReapers();                                      // waiter check after publish (point 2)
    }

    /**
     * Claims positions [c, c + n) and returns c; throws, claiming nothing, unless requests [c, c + n) have been
     * submitted. Claims are made in order with a CAS, so exactly the calls that would take claimed beyond submitted
     * fail, however many producers race.
     */
    private long claim(int n) {
        final long[] counters = this.counters;
        for (;;) {
            final long c = getVolatile(counters, CLAIMED);
            // Acquire: the reservation before our rewrite of the slot. No cached copy as the single producer keeps:
            // producers that each submit and then complete would find it stale on almost every call.
            final long s = submittedAcquire();
            if (c + n > s) {                                // claimed only grows: the call fails at this read
                throw notSubmitted(n, c + n, s);
            }
            if (compareAndSet(counters, CLAIMED, c, c + n)) {
                return c;
            }
        }
    }

    /**
     * Marks positions [from, from + n) written; their slots must have been written by this thread. Package-private so
     * that a test can play one order of marks and tail reads at a time.
     */
    void mark(long from, int n) {
        final long[] marks = this.marks;
        // Last to first: a mover that acquires the batch's first mark sees the others, and so moves the tail over the
        // whole completeAll or stops before it; reapers see all of its events or none.
        for (long seq = from + n - 1; seq >= from; seq--) {
            setRelease(marks, PAD + ((int) seq & mask), seq); // event before tail (point 1): slot writes, then mark
        }
    }

    /**
     * Moves the tail over the contiguous marked positions from it, and returns the tail as this call left or found
     * it: every position marked before the call, with none unmarked before it, lies below the returned value, and the
     * slot writes of every position below it happen-before the caller's next action (point 1).
     */
    @Override
    long publishedTail() {
        final long[] marks = this.marks;
        final long[] counters = this.counters;
        for (;;) {
            // Volatile: an acquire load of the tail, which another mover's CAS published.
            final long t = getVolatile(counters, TAIL);
            long end = t;
            // Acquire: the slot writes of a marked position happen-before this thread's CAS and its reads after it.
            // A slot holds one mark at a time, and claims stay within a lap of the tail, so the scan ends within one.
            while (getAcquire(marks, PAD + ((int) end & mask)) == end) {
                end++;
            }
            if (end == t || compareAndSet(counters, TAIL, t, end)) {
                return end;
            }
            // Another mover moved the tail first: read it again, and scan on from there.
        }
    }

    /** The tail for a snapshot: moved over the marked positions first, so that it counts every published event. */
    @Override
    long snapshotTail() {
        return publishedTail();
    }
}
