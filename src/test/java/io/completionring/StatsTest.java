package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.awaitParked;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rule 12: stats() counts what the ring did. */
class StatsTest {

    @Test
    void newRingHasAllCountsZero() {
        assertEquals(new RingStats(0, 0, 0, 0, 0, 0, 0), CompletionRing.create(4).stats());
    }

    @Test
    void statsCountSubmittedCompletedAndReaped() {
        CompletionRing ring = CompletionRing.create(8);
        assertTrue(ring.trySubmit(3));
        assertTrue(ring.trySubmit());
        ring.complete(0, 0);
        ring.completeAll(new long[] {1, 2}, new long[] {1, 2}, 0, 2);
        assertEquals(2, ring.pollEvents(2, CompletionEvent.newArray(2)));
        RingStats stats = ring.stats();
        assertEquals(4, stats.submitted());
        assertEquals(3, stats.completed());
        assertEquals(2, stats.reaped());
    }

    @Test
    void failedSubmissionsAreNotCounted() {
        CompletionRing ring = CompletionRing.create(2);
        assertTrue(ring.trySubmit(2));
        assertFalse(ring.trySubmit());
        assertFalse(ring.trySubmit(2));
        assertEquals(2, ring.stats().submitted());
    }

    @Test
    void fastPathLeavesTheSlowPathCountersAtZero() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(8);
        CompletionEvent[] events = CompletionEvent.newArray(8);
        for (long i = 0; i < 1000; i++) {
            submitAndComplete(ring, i);
            assertEquals(1, ring.getEvents(1, 8, events));
        }
        RingStats stats = ring.stats();
        assertEquals(0, stats.parks());
        assertEquals(0, stats.unparks());
        assertEquals(0, stats.timeouts());
        assertEquals(0, stats.waiters());
    }

    @Test
    void parkedReaperIsCountedAsAWaiterAndAPark() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
        assertTrue(ring.trySubmit());
        try (Workers workers = new Workers()) {
            Thread reaper = workers.start("reaper", () -> ring.getEvents(1, 1, CompletionEvent.newArray(1)));
            awaitParked(ring, reaper);
            RingStats parked = ring.stats();
            assertEquals(1, parked.waiters());
            assertTrue(parked.parks() >= 1, "parks: " + parked);
            ring.complete(0, resultFor(0));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        RingStats after = ring.stats();
        assertEquals(0, after.waiters());
        assertEquals(1, after.unparks());
    }

    @Test
    void parkedSubmitterIsCountedAsAWaiter() throws Exception {
        CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        submitAndComplete(ring, 0);
        try (Workers workers = new Workers()) {
            Thread submitter = workers.start("submitter", ring::submit);
            awaitParked(ring, submitter);
            assertEquals(1, ring.stats().waiters());
            assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
            workers.join(PROMPTLY, () -> "stats " + ring.stats());
        }
        RingStats after = ring.stats();
        assertEquals(0, after.waiters());
        assertEquals(1, after.unparks());
        assertEquals(2, after.submitted());
    }

    @Test
    void expiredGetEventsIsCountedAsATimeout() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(4);
        assertEquals(0, ring.getEvents(1, 1, CompletionEvent.newArray(1), 5, TimeUnit.MILLISECONDS));
        assertEquals(1, ring.stats().timeouts());
        assertEquals(0, ring.stats().waiters());
    }

    @Test
    void expiredSubmitIsCountedAsATimeout() throws InterruptedException {
        CompletionRing ring = CompletionRing.create(1);
        assertTrue(ring.trySubmit());
        assertFalse(ring.submit(5, TimeUnit.MILLISECONDS));
        assertEquals(1, ring.stats().timeouts());
        assertEquals(0, ring.stats().waiters());
    }

    @Test
    @Timeout(60)
    void snapshotsStayInRangeWhileAProducerAndReapersRun() throws Exception {
        // Four threads on however many cores: the monitor is descheduled between the reads of its snapshots again
        // and again while the counters race ahead, which read-once snapshots turn into values far out of range.
        CompletionRing ring = CompletionRing.create(16);
        int capacity = ring.capacity();
        long events = 2_000_000;
        AtomicBoolean done = new AtomicBoolean();
        try (Workers workers = new Workers()) {
            for (int r = 0; r < 2; r++) {
                workers.start("reaper-" + r, () -> {
                    CompletionEvent[] got = CompletionEvent.newArray(4);
                    while (ring.getEvents(1, 4, got) != -1) {
                        Thread.onSpinWait();
                    }
                });
            }
            workers.start("monitor", () -> {
                long checks = 0;
                while (!done.get() || checks < 1000) {
                    assertInRange("ready", ring.ready(), capacity);
                    assertInRange("inFlight", ring.inFlight(), capacity);
                    assertInRange("remainingCapacity", ring.remainingCapacity(), capacity);
                    RingStats s = ring.stats();
                    assertTrue(s.reaped() <= s.completed() && s.completed() <= s.submitted()
                            && s.submitted() <= s.reaped() + capacity, "not a state the ring can be in: " + s);
                    checks++;
                }
            });
            workers.start("producer", () -> {
                for (long i = 0; i < events; i++) {
                    ring.submit();
                    ring.complete(i, resultFor(i));
                }
                ring.close();
                done.set(true);
            });
            workers.join(Duration.ofSeconds(50), () -> "stats " + ring.stats());
        }
        assertEquals(events, ring.stats().reaped());
    }

    private static void assertInRange(String what, int value, int capacity) {
        assertTrue(value >= 0 && value <= capacity, what + " " + value + " outside [0, " + capacity + "]");
    }

    @Test
    void statsOfAClosedRingKeepTheCounts() {
        CompletionRing ring = CompletionRing.create(4);
        submitAndComplete(ring, 0, 2);
        ring.close();
        RingStats stats = ring.stats();
        assertEquals(2, stats.submitted());
        assertEquals(2, stats.completed());
        assertEquals(0, stats.reaped());
    }
}
