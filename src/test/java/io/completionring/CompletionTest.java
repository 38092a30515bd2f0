package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.assertEvents;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rule 3: complete / completeAll publish in call order; no completion without a reservation. */
class CompletionTest {

    @Test
    void completePublishesTheUserDataAndResultTogether() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit());
        ring.complete(42, -17);
        CompletionEvent[] events = CompletionEvent.newArray(1);
        assertEquals(1, ring.pollEvents(1, events));
        assertEquals(42, events[0].userData());
        assertEquals(-17, events[0].result());
    }

    @Test
    void completePublishesExtremeValuesUnchanged() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit(2));
        ring.complete(Long.MIN_VALUE, Long.MAX_VALUE);
        ring.complete(-1, 0);
        CompletionEvent[] events = CompletionEvent.newArray(2);
        assertEquals(2, ring.pollEvents(2, events));
        assertEquals(Long.MIN_VALUE, events[0].userData());
        assertEquals(Long.MAX_VALUE, events[0].result());
        assertEquals(-1, events[1].userData());
        assertEquals(0, events[1].result());
    }

    @Test
    void completionsAreReapedInCallOrder() {
        CompletionRing ring = CompletionRing.create(16);
        submitAndComplete(ring, 100, 10);
        CompletionEvent[] events = CompletionEvent.newArray(16);
        assertEquals(10, ring.pollEvents(16, events));
        assertEvents(events, 10, 100);
    }

    @Test
    void completionOrderSurvivesWrappingAroundTheRing() {
        CompletionRing ring = CompletionRing.create(4);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        long next = 0;
        for (int lap = 0; lap < 50; lap++) {
            submitAndComplete(ring, next, 3);
            assertEquals(3, ring.pollEvents(4, events));
            assertEvents(events, 3, next);
            next += 3;
        }
    }

    @Test
    void completeAllPublishesTheBatchInOrder() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(4));
        long[] userData = {10, 11, 12, 13};
        long[] results = {resultFor(10), resultFor(11), resultFor(12), resultFor(13)};
        ring.completeAll(userData, results, 0, 4);
        assertEquals(4, ring.ready());
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(4, ring.pollEvents(8, events));
        assertEvents(events, 4, 10);
    }

    @Test
    void completeAllPublishesOnlyTheSliceAtOffset() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(2));
        long[] userData = {0, 1, 2, 3, 4};
        long[] results = {resultFor(0), resultFor(1), resultFor(2), resultFor(3), resultFor(4)};
        ring.completeAll(userData, results, 2, 2);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(2, ring.pollEvents(8, events));
        assertEvents(events, 2, 2);
    }

    @Test
    void completeAllFollowsEarlierCompletesInOrder() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(3));
        ring.complete(0, resultFor(0));
        ring.completeAll(new long[] {1, 2}, new long[] {resultFor(1), resultFor(2)}, 0, 2);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(3, ring.pollEvents(8, events));
        assertEvents(events, 3, 0);
    }

    @Test
    void completeAllWithCountZeroIsANoOp() {
        CompletionRing ring = CompletionRing.create(4);
        ring.completeAll(new long[0], new long[0], 0, 0);
        ring.completeAll(new long[] {1}, new long[] {1}, 1, 0);
        assertEquals(0, ring.ready());
        assertEquals(0, ring.stats().completed());
    }

    @Test
    void completeWithoutAReservationThrowsIllegalStateException() {
        CompletionRing ring = CompletionRing.create(4);
        assertThrows(IllegalStateException.class, () -> ring.complete(1, 1));
    }

    @Test
    void completeWithoutAReservationChangesNothing() {
        CompletionRing ring = CompletionRing.create(4);
        submitAndComplete(ring, 0);
        assertThrows(IllegalStateException.class, () -> ring.complete(99, 99));
        assertEquals(1, ring.ready());
        assertEquals(0, ring.inFlight());
        assertEquals(1, ring.stats().completed());
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(1, ring.pollEvents(4, events));
        assertEvents(events, 1, 0);
    }

    @Test
    void completeAllBeyondTheReservationsThrowsAndPublishesNothing() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(2));
        long[] userData = {0, 1, 2};
        long[] results = {resultFor(0), resultFor(1), resultFor(2)};
        assertThrows(IllegalStateException.class, () -> ring.completeAll(userData, results, 0, 3));
        assertEquals(0, ring.ready());
        assertEquals(2, ring.inFlight());
        assertEquals(0, ring.stats().completed());
        ring.completeAll(userData, results, 0, 2);
        assertEquals(2, ring.ready());
    }

    @Test
    void completeNeverFindsTheRingFull() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit(4));
        for (long i = 0; i < 4; i++) {
            ring.complete(i, resultFor(i));
        }
        assertEquals(4, ring.ready());
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(4, ring.pollEvents(4, events));
        assertEvents(events, 4, 0);
    }

    @Test
    void completeWakesAParkedReaper() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        CompletionEvent[] events = CompletionEvent.newArray(1);
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(1, 1, events)));
            awaitParked(ring, reaper);
            ring.complete(5, resultFor(5));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(1, taken.get());
        assertEvents(events, 1, 5);
    }

    @Test
    void completeAllWakesAParkedReaperThatNeedsTheWholeBatch() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(4));
        CompletionEvent[] events = CompletionEvent.newArray(4);
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(4, 4, events)));
            awaitParked(ring, reaper);
            ring.completeAll(new long[] {0, 1, 2, 3},
                    new long[] {resultFor(0), resultFor(1), resultFor(2), resultFor(3)}, 0, 4);
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(4, taken.get());
        assertEvents(events, 4, 0);
    }

    @Test
    void completeAllPublishesTheBatchAtOnce() throws Exception {
        // The only reaper always takes everything that is ready. The tail moves only by whole batches of 8, so a reaper
        // that ever takes a count that is not a multiple of 8 saw a batch half-published.
        int batches = 20_000;
        int batch = 8;
        CompletionRing ring = CompletionRing.create(64);
        try (Workers workers = new Workers()) {
            workers.start("reaper", () -> {
                CompletionEvent[] events = CompletionEvent.newArray(64);
                long next = 0;
                while (next < (long) batches * batch) {
                    int n = ring.pollEvents(64, events);
                    if (n % batch != 0) {
                        throw new AssertionError("took " + n + " events: a batch of " + batch + " was split");
                    }
                    assertEvents(events, n, next);
                    next += n;
                }
            });
            long[] userData = new long[batch];
            long[] results = new long[batch];
            long next = 0;
            batches:
            for (int b = 0; b < batches; b++) {
                while (!ring.trySubmit(batch)) {
                    Thread.onSpinWait();
                    if (workers.failed()) {
                        break batches;
                    }
                }
                for (int i = 0; i < batch; i++) {
                    userData[i] = next + i;
                    results[i] = resultFor(next + i);
                }
                ring.completeAll(userData, results, 0, batch);
                next += batch;
            }
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
    }
}
