package io.completionring;

import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rule 1 (capacity, rounded up to a power of two) and rule 2 (at most capacity() submitted-and-not-yet-reaped). */
class CapacityTest {

    @ParameterizedTest(name = "create({0}).capacity() == {1}")
    @CsvSource({"1, 1", "2, 2", "3, 4", "5, 8", "1000, 1024", "1024, 1024", "1025, 2048", "65537, 131072"})
    void createRoundsCapacityUpToAPowerOfTwo(int requested, int expected) {
        assertEquals(expected, CompletionRing.create(requested).capacity());
    }

    @ParameterizedTest(name = "builder().capacity({0}).build().capacity() == {1}")
    @CsvSource({"1, 1", "3, 4", "100, 128", "4096, 4096"})
    void builderRoundsCapacityUpToAPowerOfTwo(int requested, int expected) {
        assertEquals(expected, CompletionRing.builder().capacity(requested).build().capacity());
    }

    @Test
    void builderAcceptsASpinBudgetOfZero() {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        assertEquals(4, ring.capacity());
    }

    @Test
    void newRingHasItsWholeCapacityFree() {
        CompletionRing ring = CompletionRing.create(8);
        assertEquals(8, ring.remainingCapacity());
        assertEquals(0, ring.ready());
        assertEquals(0, ring.inFlight());
        assertFalse(ring.isClosed());
    }

    @Test
    void roundedUpCapacityIsUsable() {
        CompletionRing ring = CompletionRing.create(3);
        assertTrue(ring.trySubmit(4), "create(3) has 4 slots");
        assertFalse(ring.trySubmit());
    }

    @Test
    void trySubmitFailsOnceCapacityRequestsAreOutstanding() {
        CompletionRing ring = CompletionRing.create(4);
        for (int i = 0; i < 4; i++) {
            assertTrue(ring.trySubmit(), "slot " + i);
        }
        assertFalse(ring.trySubmit());
        assertEquals(0, ring.remainingCapacity());
    }

    @Test
    void completedButUnreapedEventsStillHoldTheirSlots() {
        CompletionRing ring = CompletionRing.create(2);
        submitAndComplete(ring, 0, 2);
        assertEquals(2, ring.ready());
        assertEquals(0, ring.remainingCapacity());
        assertFalse(ring.trySubmit(), "a completed event holds its slot until it is reaped");
    }

    @Test
    void reapingFreesTheSlot() {
        CompletionRing ring = CompletionRing.create(2);
        submitAndComplete(ring, 0, 2);
        assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
        assertEquals(1, ring.remainingCapacity());
        assertTrue(ring.trySubmit());
        assertFalse(ring.trySubmit());
    }

    @Test
    void countersFollowARequestThroughItsLife() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(3));
        assertEquals(3, ring.inFlight());
        assertEquals(0, ring.ready());
        assertEquals(5, ring.remainingCapacity());
        ring.complete(1, 1);
        assertEquals(2, ring.inFlight());
        assertEquals(1, ring.ready());
        assertEquals(5, ring.remainingCapacity());
        assertEquals(1, ring.pollEvents(8, CompletionEvent.newArray(8)));
        assertEquals(2, ring.inFlight());
        assertEquals(0, ring.ready());
        assertEquals(6, ring.remainingCapacity());
    }

    @Test
    void capacityOneRingCyclesThroughItsSingleSlot() {
        CompletionRing ring = CompletionRing.create(1);
        CompletionEvent[] events = CompletionEvent.newArray(1);
        for (long i = 0; i < 1000; i++) {
            submitAndComplete(ring, i);
            assertFalse(ring.trySubmit());
            assertEquals(1, ring.pollEvents(1, events));
            TestSupport.assertEvents(events, 1, i);
        }
    }
}
