package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rule 2: reserving completion slots with trySubmit / submit. */
class SubmissionTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void trySubmitReservesOneSlot() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit());
        assertEquals(1, ring.inFlight());
        assertEquals(3, ring.remainingCapacity());
        assertEquals(1, ring.stats().submitted());
    }

    @Test
    void trySubmitNReservesNSlots() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(5));
        assertEquals(5, ring.inFlight());
        assertEquals(3, ring.remainingCapacity());
    }

    @Test
    void trySubmitNOfTheWholeCapacitySucceedsOnAnEmptyRing() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(8));
        assertEquals(0, ring.remainingCapacity());
    }

    @Test
    void trySubmitNIsAllOrNothing() {
        CompletionRing ring = CompletionRing.create(4);
        assertTrue(ring.trySubmit(3));
        assertFalse(ring.trySubmit(2), "only one slot is free");
        assertEquals(3, ring.inFlight(), "a failed trySubmit(n) reserves nothing");
        assertEquals(1, ring.remainingCapacity());
        assertTrue(ring.trySubmit(1));
    }

    @Test
    void submitReturnsAtOnceWhenASlotIsFree() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(2);
        ring.submit();
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitReturnsTrueWhenASlotIsFree() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(2);
        assertTrue(ring.submit(1, TimeUnit.SECONDS));
        assertEquals(1, ring.inFlight());
    }

    @Test
    void submitParksUntilAReaperFreesASlot() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        submitAndComplete(ring, 7);
        AtomicBoolean submitted = new AtomicBoolean();
        try (Workers workers = new Workers()) {
            Thread submitter = workers.start("submitter", () -> {
                ring.submit();
                submitted.set(true);
            });
            awaitParked(ring, submitter);
            assertFalse(submitted.get(), "the ring is full");
            assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
            workers.join(PROMPTLY, ring::toString);
        }
        assertTrue(submitted.get());
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitParksUntilAReaperFreesASlot() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        submitAndComplete(ring, 7);
        AtomicBoolean submitted = new AtomicBoolean();
        try (Workers workers = new Workers()) {
            Thread submitter = workers.start("submitter", () -> submitted.set(ring.submit(1, TimeUnit.MINUTES)));
            awaitParked(ring, submitter);
            assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
            workers.join(PROMPTLY, ring::toString);
        }
        assertTrue(submitted.get());
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitReturnsFalseOnTimeoutAndReservesNothing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(2);
        assertTrue(ring.trySubmit(2));
        long start = System.nanoTime();
        assertFalse(ring.submit(20, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "returned before the timeout");
        assertEquals(2, ring.inFlight());
        assertEquals(2, ring.stats().submitted());
    }

    @Test
    void timedSubmitWithZeroTimeoutDoesNotWaitOnAFullRing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.trySubmit());
        assertFalse(ring.submit(0, TimeUnit.NANOSECONDS));
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitWithNegativeTimeoutDoesNotWaitOnAFullRing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.trySubmit());
        assertFalse(ring.submit(-1, TimeUnit.DAYS));
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitWithZeroTimeoutTakesAFreeSlot() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.submit(0, TimeUnit.SECONDS));
        assertEquals(1, ring.inFlight());
    }

    @Test
    void parkedSubmitterThrowsInterruptedExceptionWhenInterruptedAndReservesNothing() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        try (Workers workers = new Workers()) {
            Thread submitter = workers.start("submitter",
                    () -> assertThrows(InterruptedException.class, ring::submit));
            awaitParked(ring, submitter);
            submitter.interrupt();
            workers.join(PROMPTLY, ring::toString);
        }
        assertEquals(1, ring.inFlight());
        assertEquals(1, ring.stats().submitted());
        assertEquals(0, ring.stats().waiters());
    }

    @Test
    void submitOfAnInterruptedThreadThrowsWhenItMustWait() {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.trySubmit());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, ring::submit);
        assertEquals(1, ring.inFlight());
    }

    @Test
    void timedSubmitOfAnInterruptedThreadThrowsWhenItMustWait() {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.trySubmit());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ring.submit(1, TimeUnit.SECONDS));
        assertEquals(1, ring.inFlight());
    }

    @Test
    void submitOfAnInterruptedThreadTakesAFreeSlotWithoutThrowing() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(1);
        Thread.currentThread().interrupt();
        ring.submit();
        assertEquals(1, ring.inFlight());
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is left set");
    }

    @Test
    void freedSlotGoesToOneOfTwoParkedSubmitters() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        submitAndComplete(ring, 1);
        try (Workers workers = new Workers()) {
            Thread a = workers.start("submitter-a", () -> ring.submit(1, TimeUnit.MINUTES));
            Thread b = workers.start("submitter-b", () -> ring.submit(1, TimeUnit.MINUTES));
            awaitParked(ring, a, b);
            assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
            TestSupport.await(() -> !a.isAlive() || !b.isAlive(),
                    () -> "one submitter to get the slot: " + ring.stats());
            assertEquals(1, ring.inFlight());
            assertTrue(a.isAlive() != b.isAlive(), "exactly one submitter got the freed slot");
            ring.complete(2, 2);
            assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
            workers.join(PROMPTLY, ring::toString);
        }
        assertEquals(1, ring.inFlight());
        assertEquals(3, ring.stats().submitted());
    }
}
