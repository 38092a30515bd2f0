package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.assertEvents;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rule 8: close. */
class CloseTest {

    @Test
    void isClosedTurnsTrueOnClose() {
        CompletionRing ring = CompletionRing.create(4);
        assertFalse(ring.isClosed());
        ring.close();
        assertTrue(ring.isClosed());
    }

    @Test
    void closeIsIdempotent() {
        CompletionRing ring = CompletionRing.create(4);
        submitAndComplete(ring, 0);
        ring.close();
        ring.close();
        assertTrue(ring.isClosed());
        assertEquals(1, ring.ready());
    }

    @Test
    void tryWithResourcesClosesTheRing() {
        CompletionRing outside;
        try (CompletionRing ring = CompletionRing.create(4)) {
            outside = ring;
        }
        assertTrue(outside.isClosed());
    }

    @Test
    void trySubmitThrowsRingClosedExceptionOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(RingClosedException.class, ring::trySubmit);
        assertEquals(0, ring.stats().submitted());
    }

    @Test
    void trySubmitNThrowsRingClosedExceptionOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(RingClosedException.class, () -> ring.trySubmit(2));
        assertEquals(0, ring.stats().submitted());
    }

    @Test
    void submitThrowsRingClosedExceptionOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(RingClosedException.class, ring::submit);
        assertEquals(0, ring.stats().submitted());
    }

    @Test
    void timedSubmitThrowsRingClosedExceptionOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(RingClosedException.class, () -> ring.submit(1, TimeUnit.SECONDS));
        assertEquals(0, ring.stats().submitted());
    }

    @Test
    void ringClosedExceptionIsAnIllegalStateException() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(IllegalStateException.class, ring::trySubmit);
    }

    @Test
    void remainingCapacityIsZeroOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertEquals(0, ring.remainingCapacity());
    }

    @Test
    void completeStillWorksForRequestsSubmittedBeforeClose() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit(2));
        ring.close();
        ring.complete(0, resultFor(0));
        ring.completeAll(new long[] {1}, new long[] {resultFor(1)}, 0, 1);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(2, ring.pollEvents(4, events));
        assertEvents(events, 2, 0);
    }

    @Test
    void completeWithoutAReservationStillThrowsOnceClosed() {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertThrows(IllegalStateException.class, () -> ring.complete(1, 1));
        assertEquals(0, ring.ready());
    }

    @Test
    void getEventsReturnsMinusOneOnceClosedAndDrained() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertEquals(-1, ring.getEvents(1, 4, CompletionEvent.newArray(4)));
    }

    @Test
    void timedGetEventsReturnsMinusOneOnceClosedAndDrained() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertEquals(-1, ring.getEvents(1, 4, CompletionEvent.newArray(4), 1, TimeUnit.HOURS));
        assertEquals(-1, ring.getEvents(1, 4, CompletionEvent.newArray(4), Duration.ofHours(1)));
    }

    @Test
    void getEventsWithMinNrZeroReturnsMinusOneOnceClosedAndDrained() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(4);
        ring.close();
        assertEquals(-1, ring.getEvents(0, 4, CompletionEvent.newArray(4)));
    }

    @Test
    void pollEventsReturnsMinusOneOnceClosedAndDrained() {
        CompletionRing ring = CompletionRing.create(4);
        submitAndComplete(ring, 0);
        ring.close();
        CompletionEvent[] events = CompletionEvent.newArray(4);
        assertEquals(1, ring.pollEvents(4, events));
        assertEquals(-1, ring.pollEvents(4, events));
    }

    @Test
    void pollEventsReturnsZeroNotMinusOneWhileEventsAreInFlightAfterClose() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit());
        ring.close();
        assertEquals(0, ring.pollEvents(4, CompletionEvent.newArray(4)));
    }

    @Test
    void getEventsReturnsReadyEventsAfterCloseThenMinusOne() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(4);
        submitAndComplete(ring, 0, 3);
        ring.close();
        CompletionEvent[] events = CompletionEvent.newArray(2);
        assertEquals(2, ring.getEvents(1, 2, events));
        assertEvents(events, 2, 0);
        assertEquals(1, ring.getEvents(1, 2, events));
        assertEvents(events, 1, 2);
        assertEquals(-1, ring.getEvents(1, 2, events));
    }

    @Test
    void getEventsAfterCloseCapsMinNrAtWhatCanStillArrive() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        ring.close();
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(2, ring.getEvents(8, 8, events), "only 2 events can ever arrive; must not wait for 8");
        assertEvents(events, 2, 0);
    }

    @Test
    void getEventsAfterCloseWaitsForEventsStillInFlight() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        assertTrue(ring.trySubmit(2));
        ring.complete(0, resultFor(0));
        ring.close();
        CompletionEvent[] events = CompletionEvent.newArray(8);
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(8, 8, events)));
            awaitParked(ring, reaper);
            ring.complete(1, resultFor(1));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(2, taken.get(), "minNr is capped at ready + in flight = 2");
        assertEvents(events, 2, 0);
        assertEquals(-1, ring.getEvents(1, 8, events));
    }

    @Test
    void parkedReaperReturnsMinusOneWhenTheRingCloses() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(1, 4, CompletionEvent.newArray(4))));
            awaitParked(ring, reaper);
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(-1, taken.get());
    }

    @Test
    void parkedTimedReaperReturnsMinusOneWhenTheRingCloses() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper",
                    () -> taken.set(ring.getEvents(1, 4, CompletionEvent.newArray(4), Duration.ofHours(1))));
            awaitParked(ring, reaper);
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(-1, taken.get());
    }

    @Test
    void parkedReaperReturnsTheReadyEventsWhenTheRingClosesBelowItsMinNr() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
        submitAndComplete(ring, 0);
        CompletionEvent[] events = CompletionEvent.newArray(4);
        AtomicInteger taken = new AtomicInteger(-2);
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> taken.set(ring.getEvents(3, 4, events)));
            awaitParked(ring, reaper);
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(1, taken.get());
        assertEvents(events, 1, 0);
    }

    @Test
    void everyParkedReaperWakesWhenTheRingCloses() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        AtomicInteger minusOnes = new AtomicInteger();
        try (Workers workers = new Workers()) {
            Thread[] reapers = new Thread[6];
            for (int i = 0; i < reapers.length; i++) {
                reapers[i] = workers.start("reaper-" + i, () -> {
                    if (ring.getEvents(1, 1, CompletionEvent.newArray(1)) == -1) {
                        minusOnes.incrementAndGet();
                    }
                });
            }
            awaitParked(ring, reapers);
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(6, minusOnes.get());
        assertEquals(0, ring.stats().waiters());
    }

    @Test
    void parkedSubmitterThrowsRingClosedExceptionWhenTheRingCloses() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(2).spinBudget(0).build();
        assertTrue(ring.trySubmit(2));
        try (Workers workers = new Workers()) {
            Thread a = workers.start("submitter", () -> assertThrows(RingClosedException.class, ring::submit));
            Thread b = workers.start("timed-submitter",
                    () -> assertThrows(RingClosedException.class, () -> ring.submit(1, TimeUnit.HOURS)));
            awaitParked(ring, a, b);
            ring.close();
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        assertEquals(2, ring.stats().submitted(), "a submitter woken by close reserved nothing");
        assertEquals(2, ring.inFlight());
    }

    @Test
    void closeDoesNotBlockWithParkedReapersAndSubmitters() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> {
                CompletionEvent[] events = CompletionEvent.newArray(1);
                assertEquals(1, ring.getEvents(1, 1, events), "the request in flight still completes after close");
                assertEquals(-1, ring.getEvents(1, 1, events));
            });
            Thread submitter = workers.start("submitter", () -> assertThrows(RingClosedException.class, ring::submit));
            awaitParked(ring, reaper, submitter);
            ring.close();
            TestSupport.await(() -> !submitter.isAlive(), () -> "the submitter to throw: " + ring.stats());
            ring.complete(0, resultFor(0));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
    }
}
