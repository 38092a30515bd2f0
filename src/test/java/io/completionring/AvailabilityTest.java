package io.completionring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The multi-producer publication's tail moves, step by step: each test plays one order in which producers mark their
 * positions ({@link Availability#mark}) and readers of the tail move it ({@link Availability#advance}), on one
 * thread, and checks where the tail is.
 */
class AvailabilityTest {

    private final long[] counters = new long[1];           // the tail at index 0, as the ring's counters hold it
    private final Availability availability = new Availability(4, counters, 0);

    private long tail() {
        return counters[0];
    }

    @Test
    void aPositionWrittenAheadOfAnUnwrittenOneWaitsAndIsTakenAlongOnceTheGapIsWritten() {
        assertEquals(0, availability.advance(), "nothing marked: the tail stays");

        availability.mark(1, 1);                            // B wrote position 1; A has not written position 0
        assertEquals(0, availability.advance(), "position 0 is not written: nothing can be read yet");
        assertEquals(0, tail());

        availability.mark(0, 1);                            // A writes position 0
        assertEquals(2, availability.advance(), "the next read of the tail takes A's and B's events");
        assertEquals(2, tail());
        assertEquals(2, availability.advance(), "nothing new: the tail stays");
    }

    @Test
    void aBatchIsPublishedWholeAndAMarkOfAnEarlierLapIsNotTakenForTheNextOne() {
        availability.mark(0, 4);                            // a completeAll of the whole ring (capacity 4)
        assertEquals(4, availability.advance());

        // Position 5 lands in slot 1, which still holds nothing newer than position 1; slot 0 holds position 0's mark,
        // which must not pass for position 4's.
        availability.mark(5, 1);
        assertEquals(4, availability.advance(), "slot 0's mark is position 0's, a lap old: position 4 is not written");

        availability.mark(4, 1);
        assertEquals(6, availability.advance());
        assertEquals(6, tail());
    }

    @Test
    void anAdvanceThatFindsTheTailMovedByAnotherReaderScansOnFromThere() {
        availability.mark(0, 2);
        counters[0] = 1;                                    // another reader moved the tail over position 0 meanwhile
        assertEquals(2, availability.advance());
        availability.mark(2, 1);
        assertEquals(3, availability.advance());
    }
}
