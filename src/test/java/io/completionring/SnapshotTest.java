package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Snapshot readings under a deterministic interleaving: the counters move between two reads of one reading, as they
 * do when the calling thread is descheduled there. Read once each, these interleavings give values outside
 * {@code [0, capacity]}; the snapshot must give a value the counters held at one instant, or clamp.
 */
class SnapshotTest {

    private static final int HEAD = 0;
    private static final int TAIL = 1;
    private static final int SUBMITTED = 2;
    private static final int CAPACITY = 16;

    /** Counters that run {@code onRead} after each read, with the number of reads so far; they count each kind. */
    private static final class MovingCounters implements Snapshot.Counters {
        final long[] value = new long[3];
        final int[] readsOf = new int[3];
        int reads;
        IntConsumer onRead = reads -> { };

        MovingCounters(long head, long tail, long submitted) {
            value[HEAD] = head;
            value[TAIL] = tail;
            value[SUBMITTED] = submitted;
        }

        @Override
        public long read(int index) {
            final long v = value[index];
            readsOf[index]++;
            onRead.accept(++reads);
            return v;
        }

        /** A reaper takes n events and the producer completes n more, submitted first: the ring stays full. */
        void lap(int n) {
            value[SUBMITTED] += n;
            value[HEAD] += n;
            value[TAIL] += n;
        }
    }

    @Test
    void readyIsAValueTheRingHadWhenTheHeadMovesDuringTheReading() {
        // Full ring: head 0, tail 16. After the first read (head), a whole lap passes: read once each, tail - head
        // would be 32 on a ring of 16.
        MovingCounters c = new MovingCounters(0, 16, 16);
        c.onRead = reads -> {
            if (reads == 1) {
                c.lap(16);
            }
        };
        assertEquals(16, Snapshot.difference(c, TAIL, HEAD, 0, CAPACITY));
    }

    @Test
    void inFlightIsAValueTheRingHadWhenTheTailMovesDuringTheReading() {
        // 16 in flight: tail 0, submitted 16. A reap and a completion of 16 after the first read (tail), then 16 more
        // submissions: read once each, submitted - tail would be 32.
        MovingCounters c = new MovingCounters(0, 0, 16);
        c.onRead = reads -> {
            if (reads == 1) {
                c.value[TAIL] += 16;
                c.value[HEAD] += 16;
                c.value[SUBMITTED] += 16;
            }
        };
        assertEquals(16, Snapshot.difference(c, SUBMITTED, TAIL, 0, CAPACITY));
    }

    @Test
    void remainingCapacityIsAValueTheRingHadWhenSubmittedMovesDuringTheReading() {
        // Empty ring, 16 free. After the first read (submitted), 16 are submitted, completed and reaped: read once
        // each, head + capacity - submitted would be 32.
        MovingCounters c = new MovingCounters(0, 0, 0);
        c.onRead = reads -> {
            if (reads == 1) {
                c.lap(16);
            }
        };
        assertEquals(16, Snapshot.free(c, HEAD, SUBMITTED, CAPACITY));
    }

    @Test
    void remainingCapacityIsZeroWhenTheRingClosesBeforeTheReadingItWouldReturn() {
        // Empty ring, 16 free, open at the first read of submitted and closed right after it: every later read sees
        // the ring closed, so no reading of it can report a free slot.
        MovingCounters c = new MovingCounters(0, 0, 0);
        c.onRead = reads -> {
            if (reads == 1) {
                c.value[SUBMITTED] |= CompletionRing.CLOSED_BIT;
            }
        };
        assertEquals(0, Snapshot.free(c, HEAD, SUBMITTED, CAPACITY));
    }

    @Test
    void snapshotsCountSubmittedWithoutTheClosedBit() {
        MovingCounters c = new MovingCounters(2, 5, 7 | CompletionRing.CLOSED_BIT);
        assertEquals(2, Snapshot.difference(c, SUBMITTED, TAIL, 0, CAPACITY));
        assertEquals(new RingStats(7, 5, 2, 0, 0, 0, 0), Snapshot.stats(c, HEAD, TAIL, SUBMITTED, CAPACITY, 0, 0, 0, 0));
        assertEquals(0, Snapshot.free(c, HEAD, SUBMITTED, CAPACITY));
    }

    @Test
    void aDifferenceThatNeverHoldsStillIsClampedIntoRange() {
        MovingCounters c = new MovingCounters(0, 16, 16);
        c.onRead = reads -> {
            if (reads % 3 == 1) {                           // after every first read of a reading
                c.lap(16);
            }
        };
        long ready = Snapshot.difference(c, TAIL, HEAD, 0, CAPACITY);
        assertTrue(ready >= 0 && ready <= CAPACITY, "ready " + ready);
        assertEquals(Snapshot.ATTEMPTS, c.readsOf[TAIL], "one read of the tail per attempt");
    }

    @Test
    void statsAreValuesTheRingHadWhenCountersMoveDuringTheReading() {
        // Full ring: reaped 0, completed 16, submitted 16. A lap after the first read (head) and another after the
        // third (submitted): read once each, completed - reaped and submitted - reaped would exceed the capacity.
        MovingCounters c = new MovingCounters(0, 16, 16);
        c.onRead = reads -> {
            if (reads == 1 || reads == 3) {
                c.lap(16);
            }
        };
        RingStats stats = Snapshot.stats(c, HEAD, TAIL, SUBMITTED, CAPACITY, 1, 2, 3, 4);
        assertConsistent(stats);
        assertEquals(new RingStats(48, 48, 32, 1, 2, 3, 4), stats, "the reading after the two laps");
    }

    @Test
    void statsThatNeverHoldStillAreClampedIntoTheInvariant() {
        MovingCounters c = new MovingCounters(0, 16, 16);
        int[] submittedReads = {0};
        c.onRead = reads -> {
            if (c.readsOf[SUBMITTED] != submittedReads[0]) { // after every read of submitted: a lap, twice
                submittedReads[0] = c.readsOf[SUBMITTED];
                c.lap(16);
                c.lap(16);
            }
        };
        RingStats stats = Snapshot.stats(c, HEAD, TAIL, SUBMITTED, CAPACITY, 0, 0, 0, 0);
        assertConsistent(stats);
        assertEquals(Snapshot.ATTEMPTS, c.readsOf[SUBMITTED], "one read of submitted per attempt");
    }

    static void assertConsistent(RingStats s) {
        assertTrue(s.reaped() <= s.completed() && s.completed() <= s.submitted()
                && s.submitted() <= s.reaped() + CAPACITY, "not a state the ring can be in: " + s);
    }
}
