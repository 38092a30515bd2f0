package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Negative control for seed 004 in a multi-producer ring: a small copy of the multi-producer publication (the ring's
 * claim, {@code Availability}'s marks, and the reader's tail-advancing CAS loop before its acquire load of the tail)
 * in which a producer marks its slot written before it writes it. The ring orders the plain slot writes before the
 * mark with a release store, and an advancer's acquire load of the mark before its tail CAS and its slot reads, so a
 * reaper that moves the tail over a slot, or acquires a tail another reader moved, sees the slot written. Without that
 * ordering the mark can be seen before the slot; this copy performs that reordering in program order (mark, then
 * write), as {@link SeedTornEvent} does for the single-producer tail, so that the same kind of test as {@code
 * MultiProducer_01_TwoProducersPublishWholeEventsInTheirOrder} (same actors, same outcomes) sees the unwritten slot.
 * The reaper reads producer 1's batch while producer 1 is between its marks and its writes.
 *
 * <p>Results on this machine ({@code -m sanity -time 300}, controls-ordering's options, 2026-12-02 09:25 UTC, JDK 17,
 * 2 cores, this copy of the ring as of commit 3d871d7, where readers move the tail): 28 of 28 configurations showed
 * a forbidden outcome; across all configurations, each outcome's count:
 * <pre>
 *   Control_09_SlotMarkedBeforeItIsWritten: 1,078,775 samples, 7,402 forbidden -- SHOWN FAILING
 *       0, 0, 1                       342  interesting
 *       1, 3, 1                     5,242  interesting
 *       2, 34, 1                  646,666  acceptable
 *       4, 1234, 1                178,963  acceptable
 *       4, 1934, 0                     99  FORBIDDEN
 *       4, 3124, 1                216,994  acceptable
 *       4, 3194, 0                    793  FORBIDDEN
 *       4, 3412, 1                 23,166  acceptable
 *       4, 3419, 0                     99  FORBIDDEN
 *       4, 3492, 0                     75  FORBIDDEN
 *       4, 3499, 0                    737  FORBIDDEN
 *       4, 3924, 0                    596  FORBIDDEN
 *       4, 3994, 0                  4,764  FORBIDDEN
 *       4, 9234, 0                     28  FORBIDDEN
 *       4, 9934, 0                    211  FORBIDDEN
 * </pre>
 * On the earlier copy (producers moved the tail; 2026-12-02 04:26 UTC): 269,867 samples, 7,800 forbidden in 28 of 28
 * configurations; with its slot writes put back before the marks (a one-off edit, not kept), no forbidden outcome in
 * 645,927 samples (03:48 UTC): the forbidden outcomes come from the missing ordering, not from the copy.
 */
public final class MultiProducerMarkBeforeWrite {

    private MultiProducerMarkBeforeWrite() {
    }

    @JCStressTest
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE_INTERESTING, desc = "Saw nothing: producer 1 had claimed first and not yet published, so 3 and 4 waited behind its batch")
    @Outcome(id = "1, 3, 1", expect = ACCEPTABLE_INTERESTING, desc = "Saw 3 only: the batch was claimed between 3 and 4 and not yet published, so 4 waited behind it")
    @Outcome(id = "2, 34, 1", expect = ACCEPTABLE, desc = "Saw 3 and 4, in their order; the batch claimed after them, or not yet")
    @Outcome(id = "4, 1234, 1", expect = ACCEPTABLE, desc = "Saw all: the batch, then 3 and 4")
    @Outcome(id = "4, 3124, 1", expect = ACCEPTABLE, desc = "Saw all: 3, the batch, 4")
    @Outcome(id = "4, 3412, 1", expect = ACCEPTABLE, desc = "Saw all: 3 and 4, then the batch")
    @Outcome(expect = FORBIDDEN, desc = "Saw an unwritten or torn slot (9, seed 004), part of the batch, 4 before 3, missed its own completed events with nothing before them unpublished, or found an event not published once both producers had returned")
    @State
    public static class Control_09_SlotMarkedBeforeItIsWritten {
        private final MiniMultiProducerRing ring = new MiniMultiProducerRing();

        @Actor
        public void producer1() {
            ring.complete(new long[] {1, 2}, new long[] {11, 22});
        }

        @Actor
        public void producer2ThenReaper(III_Result r) {
            ring.complete(new long[] {3}, new long[] {33});
            ring.complete(new long[] {4}, new long[] {44});
            ring.poll(r);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = ring.restCompletes(r.r1, r.r2);
        }
    }

    /**
     * Four slots, four requests submitted, one reaper (producer 2). The ring's multi-producer protocol (a batch marked
     * last to first, so that it is published whole), but for the order of the slot writes and the marks in {@link
     * #complete}.
     */
    static final class MiniMultiProducerRing {
        private static final int CAPACITY = 4;
        private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
        private static final VarHandle CLAIMED;
        private static final VarHandle TAIL;

        static {
            try {
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                CLAIMED = lookup.findVarHandle(MiniMultiProducerRing.class, "claimed", long.class);
                TAIL = lookup.findVarHandle(MiniMultiProducerRing.class, "tail", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long submitted = CAPACITY;
        private final long[] userData = new long[CAPACITY];
        private final long[] results = new long[CAPACITY];
        private final long[] marks = {-1, -1, -1, -1};
        private long claimed;
        private long tail;

        /** completeAll: claim, then -- the removed ordering -- mark, fence, and only then write. */
        void complete(long[] u, long[] r) {
            final int n = u.length;
            long c;
            do {
                c = (long) CLAIMED.getVolatile(this);
                if (c + n > submitted) {
                    throw new IllegalStateException("no reservation");
                }
            } while (!CLAIMED.compareAndSet(this, c, c + n));
            for (int k = n - 1; k >= 0; k--) {
                LONGS.setRelease(marks, (int) (c + k), c + k);   // marked before the slot is written
            }
            VarHandle.fullFence();                           // the ring's waiter check would follow here
            for (int k = 0; k < n; k++) {
                userData[(int) (c + k)] = u[k];
                results[(int) (c + k)] = r[k];
            }
        }

        /** Availability.advance: move the tail over every contiguous marked position, by CAS; the tail after. */
        private long advance() {
            for (;;) {
                final long t = (long) TAIL.getVolatile(this);
                long end = t;
                while (end < CAPACITY && (long) LONGS.getAcquire(marks, (int) end) == end) {
                    end++;
                }
                if (end == t || TAIL.compareAndSet(this, t, end)) {
                    return end;
                }
            }
        }

        /** pollEvents(4) on a fresh ring: r1 the events taken, r2 their userData digits (9: torn or unwritten). */
        void poll(III_Result r) {
            final int n = (int) advance();
            int digits = 0;
            for (int i = 0; i < n; i++) {
                final long u = userData[i];
                digits = digits * 10 + (u >= 1 && u <= 4 && results[i] == 11 * u ? (int) u : 9);
            }
            r.r1 = n;
            r.r2 = digits;
        }

        /** Once both producers have returned: 1 if the events after the first {@code taken} are all published. */
        int restCompletes(int taken, int digits) {
            final int n = (int) advance();
            int all = digits;
            for (int i = taken; i < n; i++) {
                final long u = userData[i];
                all = all * 10 + (u >= 1 && u <= 4 && results[i] == 11 * u ? (int) u : 9);
            }
            return n == 4 && (all == 1234 || all == 3124 || all == 3412) ? 1 : 0;
        }
    }
}
