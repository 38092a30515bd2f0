package io.completionring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multi-producer publication's tail moves, step by step: each test plays one interleaving of producers between
 * their mark and their scan ({@link Availability#mark} then {@link Availability#advance}, which {@code publish} runs
 * with a fence between them), on one thread, and checks where the tail is and who must do the waiter check.
 */
class AvailabilityTest {

    private final long[] counters = new long[1];           // the tail at index 0, as the ring's counters hold it
    private final Availability availability = new Availability(4, counters, 0);

    private long tail() {
        return counters[0];
    }

    @Test
    void aProducerAheadOfAnUnwrittenPositionLeavesTheTailToItsOwner() {
        availability.mark(1, 1);                            // B wrote position 1; A has not written position 0
        assertFalse(availability.advance(), "B moved nothing, so B must not be the one to do the waiter check");
        assertEquals(0, tail());

        availability.mark(0, 1);                            // A writes position 0 and publishes B's with its own
        assertTrue(availability.advance(), "A moved the tail: A does the waiter check for both events");
        assertEquals(2, tail());
    }

    /**
     * The case the waiter check must not miss: a producer whose own position another producer has already published,
     * and whose scan then publishes a third producer's position only. That third producer finds the tail past it and
     * does no check, so the mover must, though none of the events it published is its own.
     */
    @Test
    void aMoveOverOtherProducersPositionsOnlyStillCallsForTheWaiterCheck() {
        availability.mark(0, 1);                            // A wrote position 0, and is descheduled before its scan
        availability.mark(1, 1);                            // B wrote position 1
        assertTrue(availability.advance(), "B moved the tail over A's position and its own");
        assertEquals(2, tail());

        availability.mark(2, 1);                            // C wrote position 2, and is descheduled before its scan
        assertTrue(availability.advance(), "A's scan moved the tail over C's position: A must do the waiter check");
        assertEquals(3, tail());

        assertFalse(availability.advance(), "C finds its position published: the check was A's");
        assertEquals(3, tail());
    }

    @Test
    void aBatchIsPublishedWholeAndAMarkOfAnEarlierLapIsNotTakenForTheNextOne() {
        availability.mark(0, 4);                            // a completeAll of the whole ring (capacity 4)
        assertTrue(availability.advance());
        assertEquals(4, tail());

        // Position 5 lands in slot 1, which still holds nothing newer than position 1; slot 0 holds position 0's mark,
        // which must not pass for position 4's.
        availability.mark(5, 1);
        assertFalse(availability.advance(), "slot 0's mark is position 0's, a lap old: position 4 is not written");
        assertEquals(4, tail());

        availability.mark(4, 1);
        assertTrue(availability.advance());
        assertEquals(6, tail());
    }
}
