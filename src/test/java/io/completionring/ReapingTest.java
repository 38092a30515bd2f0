package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.assertEvents;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rule 4: getEvents / pollEvents follow io_getevents. */
class ReapingTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void getEventsCopiesReadyEventsInCompletionOrder() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 5);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(5, ring.getEvents(1, 8, events));
        assertEvents(events, 5, 0);
        assertEquals(0, ring.ready());
    }

    @Test
    void getEventsTakesAtMostNr() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 5);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(3, ring.getEvents(1, 3, events));
        assertEvents(events, 3, 0);
        assertEquals(2, ring.ready());
        assertEquals(2, ring.getEvents(1, 8, events));
        assertEvents(events, 2, 3);
    }

    @Test
    void getEventsLeavesHoldersBeyondTheReturnedCountUntouched() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(2, ring.getEvents(1, 4, events));
        submitAndComplete(ring, 10);
        assertEquals(1, ring.getEvents(1, 4, events));
        assertEvents(events, 1, 10);
        assertEquals(1, events[1].userData(), "the holder past the returned count keeps its old event");
        assertEquals(resultFor(1), events[1].result());
    }

    @Test
    void getEventsWithMinNrZeroReturnsZeroAtOnceOnAnEmptyRing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(), "an event in flight must not make minNr 0 wait");
        assertEquals(0, ring.getEvents(0, 4, CompletionEvent.newArray(4)));
    }

    @Test
    void getEventsWithMinNrZeroTakesWhatIsReady() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(2, ring.getEvents(0, 4, events));
        assertEvents(events, 2, 0);
    }

    @Test
    void getEventsParksUntilMinNrEventsAreReady() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(3));
        CompletionEvent[] events = CompletionEvent.newArray(8);
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(3, 8, events)));
            awaitParked(ring, reaper);
            ring.complete(0, resultFor(0));
            ring.complete(1, resultFor(1));
            assertEquals(-2, taken.get(), "returned with fewer than minNr events");
            ring.complete(2, resultFor(2));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(3, taken.get());
        assertEvents(events, 3, 0);
    }

    @Test
    void parkedReaperIsNotWokenBeforeItsMinNrIsReady() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(3));
        CompletionEvent[] events = CompletionEvent.newArray(8);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> assertEquals(3, ring.getEvents(3, 8, events)));
            awaitParked(ring, reaper);
            ring.complete(0, resultFor(0));
            ring.complete(1, resultFor(1));
            assertEquals(0, ring.stats().unparks(), "woke a reaper that needs 3 events for 1 or 2: " + ring.stats());
            ring.complete(2, resultFor(2));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(1, ring.stats().unparks());
    }

    @Test
    void oneCompletionWakesOnlyOneOfManyParkedReapers() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        AtomicInteger done = new AtomicInteger();
        try (Workers workers = new Workers()) {
            Thread[] reapers = new Thread[4];
            for (int i = 0; i < reapers.length; i++) {
                reapers[i] = workers.start("reaper-" + i, () -> {
                    ring.getEvents(1, 1, CompletionEvent.newArray(1));
                    done.incrementAndGet();
                });
            }
            awaitParked(ring, reapers);
            ring.complete(0, resultFor(0));
            TestSupport.await(() -> done.get() == 1, () -> "one reaper to take the event: " + ring.stats());
            assertEquals(1, ring.stats().unparks(), "one event should wake one reaper: " + ring.stats());
            assertEquals(3, ring.stats().waiters());
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
    }

    @Test
    void timedGetEventsReturnsZeroWhenNothingArrives() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        long start = System.nanoTime();
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), 20, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "returned before the timeout");
    }

    @Test
    void getEventsWithDurationReturnsZeroWhenNothingArrives() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        long start = System.nanoTime();
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), Duration.ofMillis(20)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "returned before the timeout");
    }

    @Test
    void getEventsReturnsWhatItCouldTakeWhenTheTimeoutExpires() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(1, ring.getEvents(2, 4, events, 20, TimeUnit.MILLISECONDS));
        assertEvents(events, 1, 0);
        assertEquals(0, ring.ready());
    }

    @Test
    void timedGetEventsWithZeroTimeoutDoesNotWait() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), 0, TimeUnit.DAYS));
    }

    @Test
    void timedGetEventsWithNegativeTimeoutDoesNotWait() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), -5, TimeUnit.DAYS));
    }

    @Test
    void getEventsWithZeroDurationDoesNotWait() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), Duration.ZERO));
    }

    @Test
    void getEventsWithNegativeDurationDoesNotWait() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), Duration.ofSeconds(-3)));
    }

    @Test
    void getEventsWithZeroTimeoutStillTakesReadyEvents() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(2, ring.getEvents(4, 4, events, 0, TimeUnit.SECONDS));
        assertEvents(events, 2, 0);
    }

    @Test
    void timedGetEventsReturnsAsSoonAsMinNrArrive() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper",
                    () -> taken.set(ring.getEvents(1, 4, CompletionEvent.newArray(4), 1, TimeUnit.HOURS)));
            awaitParked(ring, reaper);
            ring.complete(0, resultFor(0));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(1, taken.get());
    }

    @Test
    void getEventsFillsNullHoldersWithNewOnes() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        CompletionEvent[] events = new CompletionEvent[4];
        assertEquals(2, ring.getEvents(1, 4, events));
        assertNotNull(events[0]);
        assertNotNull(events[1]);
        assertEvents(events, 2, 0);
    }

    @Test
    void getEventsFillsEveryNullHolderUpToNrWhenItReturnsFewer() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0);
        CompletionEvent[] events = new CompletionEvent[4];
        assertEquals(1, ring.getEvents(1, 4, events));
        assertHoldersFilled(events, 4);
    }

    @Test
    void getEventsFillsEveryNullHolderUpToNrWhenItTimesOut() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        CompletionEvent[] events = new CompletionEvent[3];
        assertEquals(0, ring.getEvents(1, 3, events, 1, TimeUnit.MILLISECONDS));
        assertHoldersFilled(events, 3);
    }

    @Test
    void getEventsFillsEveryNullHolderUpToNrWhenItReturnsMinusOne() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        ring.close();
        CompletionEvent[] events = new CompletionEvent[3];
        assertEquals(-1, ring.getEvents(1, 3, events));
        assertHoldersFilled(events, 3);
    }

    @Test
    void getEventsFillsNullHoldersBetweenHoldersItWasGiven() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0);
        CompletionEvent given = new CompletionEvent();
        CompletionEvent[] events = {null, given, null};
        assertEquals(1, ring.getEvents(1, 3, events));
        assertSame(given, events[1]);
        assertHoldersFilled(events, 3);
    }

    @Test
    void pollEventsFillsEveryNullHolderUpToNrOnAnEmptyRing() {
        CompletionRing ring = CompletionRing.create(8);
        CompletionEvent[] events = new CompletionEvent[5];
        assertEquals(0, ring.pollEvents(5, events));
        assertHoldersFilled(events, 5);
    }

    private static void assertHoldersFilled(CompletionEvent[] events, int nr) {
        for (int i = 0; i < nr; i++) {
            assertNotNull(events[i], "element " + i + " of events[0.." + nr + ") is still null");
        }
    }

    @Test
    void getEventsLeavesNullElementsPastNrAlone() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        CompletionEvent[] events = new CompletionEvent[6];
        assertEquals(2, ring.getEvents(1, 2, events));
        for (int i = 2; i < events.length; i++) {
            assertNull(events[i], "element " + i + " is past nr");
        }
    }

    @Test
    void getEventsReusesTheHoldersItWasGiven() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        CompletionEvent[] events = new CompletionEvent[2];
        submitAndComplete(ring, 0, 2);
        assertEquals(2, ring.getEvents(2, 2, events));
        CompletionEvent first = events[0];
        CompletionEvent second = events[1];
        submitAndComplete(ring, 2, 2);
        assertEquals(2, ring.getEvents(2, 2, events));
        assertSame(first, events[0]);
        assertSame(second, events[1]);
        assertEvents(events, 2, 2);
    }

    @Test
    void pollEventsFillsNullHoldersWithNewOnes() {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0);
        CompletionEvent[] events = new CompletionEvent[2];
        assertEquals(1, ring.pollEvents(2, events));
        assertEvents(events, 1, 0);
    }

    @Test
    void getEventsOfAnInterruptedThreadReturnsReadyEventsAndKeepsTheInterrupt() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0);
        CompletionEvent[] events = CompletionEvent.newArray(1);
        Thread.currentThread().interrupt();
        assertEquals(1, ring.getEvents(1, 1, events));
        assertTrue(Thread.currentThread().isInterrupted());
        assertEvents(events, 1, 0);
    }

    @Test
    void getEventsOfAnInterruptedThreadThrowsWhenItMustWait() {
        CompletionRing ring = CompletionRing.create(8);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ring.getEvents(1, 1, CompletionEvent.newArray(1)));
    }

    @Test
    void getEventsWithMinNrZeroDoesNotThrowForAnInterruptedThread() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        Thread.currentThread().interrupt();
        assertEquals(0, ring.getEvents(0, 1, CompletionEvent.newArray(1)));
        assertTrue(Thread.currentThread().isInterrupted());
    }

    @Test
    void parkedReaperThrowsInterruptedExceptionWhenInterrupted() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper",
                    () -> assertThrows(InterruptedException.class,
                            () -> ring.getEvents(1, 1, CompletionEvent.newArray(1))));
            awaitParked(ring, reaper);
            reaper.interrupt();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(0, ring.stats().waiters());
        submitAndCompleteReserved(ring, 9);
        CompletionEvent[] events = CompletionEvent.newArray(1);
        assertEquals(1, ring.pollEvents(1, events), "the event completed after the interrupt is still there");
        assertEvents(events, 1, 9);
    }

    @Test
    void interruptedReaperReturnsTheEventsItTookAndKeepsTheInterrupt() throws Exception {
        // minNr 2 with one event ready: the reaper takes the event, then parks for the second.
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(2));
        ring.complete(0, resultFor(0));
        interruptParkedReaper(ring, () -> { });
    }

    @Test
    void interruptedReaperReturnsEventsCompletedWhileItWasParked() throws Exception {
        // minNr 2 on an empty ring: one completion is not enough to wake the reaper, so it is still parked when the
        // interrupt comes; it must return that event rather than throw and leave it behind.
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(2));
        interruptParkedReaper(ring, () -> ring.complete(0, resultFor(0)));
    }

    /**
     * Starts a reaper in getEvents(2, 4), waits until it is parked, runs beforeInterrupt and interrupts it; checks that
     * getEvents returned event 0 alone, the interrupt status was kept and the ring is empty.
     */
    private static void interruptParkedReaper(CompletionRing ring, Runnable beforeInterrupt) throws Exception {
        CompletionEvent[] events = CompletionEvent.newArray(4);
        AtomicInteger taken = new AtomicInteger(-2);
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> {
                try {
                    taken.set(ring.getEvents(2, 4, events));
                    interruptKept.set(Thread.currentThread().isInterrupted());
                } catch (InterruptedException e) {
                    taken.set(-1);
                }
            });
            awaitParked(ring, reaper);
            beforeInterrupt.run();
            reaper.interrupt();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(1, taken.get(), "-1 means InterruptedException although an event was ready");
        assertEvents(events, 1, 0);
        assertEquals(Boolean.TRUE, interruptKept.get(), "returned early without keeping the interrupt");
        assertEquals(0, ring.ready());
    }

    @Test
    void pollEventsReturnsZeroOnAnEmptyRing() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit());
        assertEquals(0, ring.pollEvents(4, CompletionEvent.newArray(4)));
    }

    @Test
    void pollEventsTakesUpToNrInCompletionOrder() {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 5);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(3, ring.pollEvents(3, events));
        assertEvents(events, 3, 0);
        assertEquals(2, ring.pollEvents(8, events));
        assertEvents(events, 2, 3);
    }

    @Test
    void pollEventsDoesNotThrowForAnInterruptedThread() {
        CompletionRing ring = CompletionRing.create(8);
        Thread.currentThread().interrupt();
        assertEquals(0, ring.pollEvents(1, CompletionEvent.newArray(1)));
        assertTrue(Thread.currentThread().isInterrupted());
    }

    @Test
    void eachEventGoesToExactlyOneOfTwoReapers() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 3);
        CompletionEvent[] a = CompletionEvent.newArray(2);
        CompletionEvent[] b = CompletionEvent.newArray(2);
        assertEquals(2, ring.getEvents(1, 2, a));
        assertEquals(1, ring.getEvents(1, 2, b));
        assertEvents(a, 2, 0);
        assertEvents(b, 1, 2);
        assertFalse(ring.getEvents(0, 2, b) > 0);
    }

    private static void submitAndCompleteReserved(CompletionRing ring, long userData) {
        ring.complete(userData, resultFor(userData));
    }
}
